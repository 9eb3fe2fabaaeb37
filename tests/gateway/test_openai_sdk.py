"""The official OpenAI SDK, sync and async, against Spacegate in front of a fake provider."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import openai
import pytest

from tests.gateway.conftest import PROVIDER_KEY, World
from tests.live import LiveServer


@pytest.fixture
def sync_client(live: LiveServer, world: World) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(
        base_url=f"{live.url}/v1",
        api_key=world.org.key,
        default_headers={"X-Space-Id": world.space_id},
        max_retries=0,
    ) as client:
        yield client


@pytest.fixture
async def client(live: LiveServer, world: World) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(
        base_url=f"{live.url}/v1",
        api_key=world.org.key,
        default_headers={"X-Space-Id": world.space_id},
        max_retries=0,
    ) as c:
        yield c


async def test_sync_chat_completion_reaches_upstream_with_the_upstream_model_and_key(
    sync_client: openai.OpenAI, world: World
) -> None:
    raw = await asyncio.to_thread(
        lambda: sync_client.chat.completions.with_raw_response.create(
            model=world.alias, messages=[{"role": "user", "content": "hello there"}]
        )
    )
    completion = raw.parse()
    assert completion.choices[0].message.content == "Echo: hello there"
    assert completion.usage is not None and completion.usage.total_tokens > 0
    assert float(raw.headers["X-Spacegate-Overhead-Ms"]) >= 0
    sent = world.fake.last
    assert sent.json()["model"] == "fake-model"  # the alias became the upstream model name
    assert sent.headers["authorization"] == f"Bearer {PROVIDER_KEY}"  # the provider's key, not ours
    assert world.org.key not in str(sent.headers)


async def test_async_chat_and_model_by_tenant_model_id(
    client: openai.AsyncOpenAI, world: World
) -> None:
    done = await client.chat.completions.create(
        model=world.model_id, messages=[{"role": "user", "content": "by id"}]
    )
    assert done.choices[0].message.content == "Echo: by id"


async def test_default_model_is_used_when_model_is_omitted(live: LiveServer, world: World) -> None:
    r = await world.api.put(
        f"/api-proxy/v1/spaces/{world.space_id}/model-policy",
        json={"default_model_id": world.model_id, "mode": "dynamic"},
        headers=world.org.headers,
    )
    assert r.status_code == 200, r.text
    r = await world.api.post(
        "/v1/chat/completions",
        json={"messages": [{"role": "user", "content": "x"}]},
        headers=world.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == "Echo: x"


async def test_streaming_text_and_usage_only_when_asked(
    client: openai.AsyncOpenAI, world: World
) -> None:
    stream = await client.chat.completions.create(
        model=world.alias, messages=[{"role": "user", "content": "stream me please"}], stream=True
    )
    chunks = [c async for c in stream]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Echo: stream me please"
    assert all(
        c.usage is None for c in chunks
    )  # not asked for: the upstream usage chunk is stripped
    assert world.fake.last.json()["stream_options"] == {"include_usage": True}

    stream = await client.chat.completions.create(
        model=world.alias,
        messages=[{"role": "user", "content": "with usage"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [c async for c in stream]
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


async def test_embeddings_and_completions(client: openai.AsyncOpenAI, world: World) -> None:
    embedder = await world.model("text-embedding-3-small")  # capabilities from its name
    assert embedder["capabilities"] == ["embeddings"]
    emb = await client.embeddings.create(model=embedder["alias"], input=["a", "b"])
    assert len(emb.data) == 2 and len(emb.data[0].embedding) > 0
    comp = await client.completions.create(model=world.alias, prompt="say hi")
    assert comp.choices[0].text


async def test_models_list_shows_only_the_space_entitlements(
    client: openai.AsyncOpenAI, world: World
) -> None:
    other = await world.model("not-entitled-here", entitle=False)
    page = await client.models.list()
    ids = [m.id for m in page.data]
    assert ids == [world.alias]
    assert other["alias"] not in ids
    r = await world.api.get("/v1/models", headers=world.headers)
    body = r.json()
    assert body["object"] == "list" and body["count"] == 1 and body["has_more"] is False
    item = body["data"][0]
    assert item["tenant_model_id"] == world.model_id and item["context_window"] == 8192
    assert {"id", "object", "created", "owned_by", "capabilities", "is_default"} <= set(item)
    model = await client.models.retrieve(world.alias)
    assert model.id == world.alias
    with pytest.raises(openai.NotFoundError):
        await client.models.retrieve(other["alias"])


async def test_sdk_raises_its_own_typed_errors(client: openai.AsyncOpenAI, world: World) -> None:
    msgs = [{"role": "user", "content": "x"}]
    not_here = await world.model("elsewhere", entitle=False)
    with pytest.raises(openai.PermissionDeniedError) as denied:
        await client.chat.completions.create(model=not_here["alias"], messages=msgs)  # type: ignore[arg-type]
    assert denied.value.code == "model_not_entitled"
    async with openai.AsyncOpenAI(
        base_url=client.base_url, api_key="sg_nope", max_retries=0
    ) as bad:
        with pytest.raises(openai.AuthenticationError):
            await bad.chat.completions.create(model=world.alias, messages=msgs)  # type: ignore[arg-type]
    async with openai.AsyncOpenAI(
        base_url=client.base_url, api_key=world.org.key, max_retries=0
    ) as c:
        with pytest.raises(openai.BadRequestError) as missing:
            await c.chat.completions.create(model=world.alias, messages=msgs)  # type: ignore[arg-type]
    assert missing.value.code == "space_required"
