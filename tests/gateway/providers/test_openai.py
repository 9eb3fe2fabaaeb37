"""The ``openai`` and ``azure_openai`` protocols against the fake provider over loopback."""

from __future__ import annotations

import httpx
import orjson
import pytest

from spacegate.gateway.providers import ProviderResponse, ProviderStream, send
from tests.fakes.provider import FakeProvider
from tests.gateway.providers.conftest import KEY, drain, text_of, upstream

CHAT = {
    "model": "team-alias",
    "messages": [{"role": "user", "content": "hello big world"}],
    "temperature": 0.2,
    "seed": 7,
}


async def test_chat_is_passed_through_with_the_upstream_model(
    fake: FakeProvider, http: httpx.AsyncClient
) -> None:
    result = await send(
        http, upstream(fake, "openai", "gpt-fake"), "chat.completions", CHAT, stream=False
    )

    assert isinstance(result, ProviderResponse)
    assert result.status == 200
    answer = orjson.loads(result.body)
    assert answer["choices"][0]["message"]["content"] == "Echo: hello big world"
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (3, 4)
    assert result.usage.total_tokens == 7
    assert not result.usage.estimated
    sent = fake.last
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.json() == {**CHAT, "model": "gpt-fake"}


async def test_completions_and_embeddings(fake: FakeProvider, http: httpx.AsyncClient) -> None:
    up = upstream(fake, "openai", "gpt-fake")
    text = await send(http, up, "completions", {"model": "a", "prompt": "say this"}, stream=False)
    assert isinstance(text, ProviderResponse)
    assert orjson.loads(text.body)["choices"][0]["text"] == "Echo: say this"
    assert text.usage.completion_tokens == 3

    vectors = await send(
        http, up, "embeddings", {"model": "a", "input": ["one two", "three"]}, stream=False
    )
    assert isinstance(vectors, ProviderResponse)
    assert len(orjson.loads(vectors.body)["data"]) == 2
    assert vectors.usage.prompt_tokens == 3
    assert vectors.usage.completion_tokens == 0
    assert fake.last.path == "/v1/embeddings"


async def test_stream_asks_for_usage_and_strips_it_when_the_client_did_not(
    fake: FakeProvider, http: httpx.AsyncClient
) -> None:
    result = await send(http, upstream(fake, "openai"), "chat.completions", CHAT, stream=True)
    assert isinstance(result, ProviderStream)
    events = await drain(result)

    assert fake.last.json()["stream_options"] == {"include_usage": True}
    assert fake.last.json()["stream"] is True
    assert text_of(events) == "Echo: hello big world"
    assert events[-1] == "[DONE]"
    assert all(event == "[DONE]" or event["choices"] for event in events)
    assert result.usage.total_tokens == 7
    assert not result.usage.estimated
    assert result.error is None


async def test_stream_keeps_the_usage_chunk_when_the_client_asked(
    fake: FakeProvider, http: httpx.AsyncClient
) -> None:
    body = {**CHAT, "stream_options": {"include_usage": True}}
    result = await send(http, upstream(fake, "openai"), "chat.completions", body, stream=True)
    assert isinstance(result, ProviderStream)
    events = await drain(result)

    usage_chunk = events[-2]
    assert usage_chunk["choices"] == []
    assert usage_chunk["usage"] == {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}
    assert result.usage.completion_tokens == 4


async def test_stream_bytes_are_passed_through_unchanged(
    fake: FakeProvider, http: httpx.AsyncClient
) -> None:
    body = {**CHAT, "stream_options": {"include_usage": True}}
    result = await send(http, upstream(fake, "openai"), "chat.completions", body, stream=True)
    assert isinstance(result, ProviderStream)
    ours = b"".join([chunk async for chunk in result])
    direct = (
        await http.post(
            f"{fake.url}/v1/chat/completions",
            json={**body, "stream": True},
            headers={"Authorization": "Bearer x"},
        )
    ).content
    # Same events byte for byte, apart from the per-response id and timestamp.
    assert ours.count(b"\n\n") == direct.count(b"\n\n")
    assert [len(e) for e in ours.split(b"\n\n")] == [len(e) for e in direct.split(b"\n\n")]


async def test_missing_usage_is_estimated(fake: FakeProvider, http: httpx.AsyncClient) -> None:
    up = upstream(fake, "openai", "gpt-fake+no-usage")
    body = {"model": "a", "messages": [{"role": "user", "content": "x" * 400}]}
    whole = await send(http, up, "chat.completions", body, stream=False)
    assert whole.usage.estimated
    # ~4 characters per token, plus a little per message.
    assert 100 <= whole.usage.prompt_tokens <= 110
    assert 100 <= whole.usage.completion_tokens <= 110

    streamed = await send(http, up, "chat.completions", body, stream=True)
    assert isinstance(streamed, ProviderStream)
    await drain(streamed)
    assert streamed.usage.estimated
    assert 100 <= streamed.usage.completion_tokens <= 110
    assert (
        streamed.usage.total_tokens
        == streamed.usage.prompt_tokens + streamed.usage.completion_tokens
    )


async def test_closing_a_stream_early_keeps_what_was_used(
    fake: FakeProvider, http: httpx.AsyncClient
) -> None:
    body = {"model": "a", "messages": [{"role": "user", "content": " ".join(["word"] * 50)}]}
    result = await send(http, upstream(fake, "openai"), "chat.completions", body, stream=True)
    assert isinstance(result, ProviderStream)
    async for _chunk in result:
        break
    await result.aclose()
    # The client left before upstream's usage chunk: the call is still metered, as an estimate.
    assert result.usage.estimated
    assert result.usage.prompt_tokens > 0
    assert [chunk async for chunk in result] == []


async def test_azure_urls_headers_and_version(fake: FakeProvider, http: httpx.AsyncClient) -> None:
    up = upstream(fake, "azure_openai", "my-deployment", config={"api_version": "2024-06-01"})
    result = await send(http, up, "chat.completions", CHAT, stream=False)
    assert isinstance(result, ProviderResponse)
    assert orjson.loads(result.body)["choices"][0]["message"]["content"] == "Echo: hello big world"
    sent = fake.last
    assert sent.path == "/openai/deployments/my-deployment/chat/completions"
    assert sent.query == "api-version=2024-06-01"
    assert sent.headers["api-key"] == KEY
    assert "authorization" not in sent.headers

    stream = await send(http, up, "embeddings", {"input": "a b c"}, stream=False)
    assert stream.usage.prompt_tokens == 3
    assert fake.last.path == "/openai/deployments/my-deployment/embeddings"


async def test_azure_stream_uses_the_default_version(
    fake: FakeProvider, http: httpx.AsyncClient
) -> None:
    result = await send(
        http, upstream(fake, "azure_openai", "dep"), "chat.completions", CHAT, stream=True
    )
    assert isinstance(result, ProviderStream)
    events = await drain(result)
    assert text_of(events) == "Echo: hello big world"
    assert result.usage.total_tokens == 7
    assert fake.last.query == "api-version=2024-10-21"


@pytest.mark.parametrize("protocol", ["openai", "azure_openai"])
async def test_embeddings_cannot_stream(
    fake: FakeProvider, http: httpx.AsyncClient, protocol: str
) -> None:
    from spacegate.gateway.providers import UnsupportedByProvider

    with pytest.raises(UnsupportedByProvider):
        await send(http, upstream(fake, protocol), "embeddings", {"input": "x"}, stream=True)  # type: ignore[arg-type]
    assert fake.requests == []
