"""A model serves the endpoints its capabilities allow (anything else is a 400 in OpenAI's
envelope naming the model and what it supports), and a registration that names no capabilities
gets them from the upstream model's name."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from tests.gateway.conftest import World
from tests.live import LiveServer

MSG = [{"role": "user", "content": "hello"}]


def _error(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()["error"]
    assert body["code"] == code and body["type"] == "invalid_request_error"
    return body


async def test_embeddings_on_a_chat_model_is_a_400_naming_what_it_supports(world: World) -> None:
    r = await world.api.post(
        "/v1/embeddings", json={"model": world.alias, "input": "x"}, headers=world.headers
    )
    err = _error(r, 400, "model_capability_unsupported")
    assert err["param"] == "model"
    assert "'chat-model' does not support embeddings" in err["message"]
    assert "its capabilities: chat" in err["message"]
    assert "/v1/chat/completions" in err["message"]
    assert world.fake.requests == []  # refused before any provider call


async def test_chat_on_an_embedding_model_is_refused_and_embeddings_served(world: World) -> None:
    model = await world.model("embedder", capabilities=["embeddings"])
    r = await world.api.post(
        "/v1/chat/completions",
        json={"model": "embedder", "messages": MSG},
        headers=world.headers,
    )
    err = _error(r, 400, "model_capability_unsupported")
    assert "does not support chat.completions" in err["message"]
    assert "/v1/embeddings" in err["message"] and "'chat'" in err["message"]
    r = await world.api.post(
        "/v1/completions", json={"model": "embedder", "prompt": "x"}, headers=world.headers
    )
    _error(r, 400, "model_capability_unsupported")
    r = await world.api.post(
        "/v1/embeddings", json={"model": "embedder", "input": "x"}, headers=world.headers
    )
    assert r.status_code == 200, r.text
    assert model["capabilities"] == ["embeddings"]


async def test_chat_models_take_legacy_completions_and_completions_models_only_them(
    world: World,
) -> None:
    r = await world.api.post(
        "/v1/completions", json={"model": world.alias, "prompt": "x"}, headers=world.headers
    )
    assert r.status_code == 200, r.text
    await world.model("legacy", capabilities=["completions"])
    r = await world.api.post(
        "/v1/completions", json={"model": "legacy", "prompt": "x"}, headers=world.headers
    )
    assert r.status_code == 200, r.text
    r = await world.api.post(
        "/v1/chat/completions", json={"model": "legacy", "messages": MSG}, headers=world.headers
    )
    _error(r, 400, "model_capability_unsupported")


async def test_a_model_without_capabilities_serves_nothing(world: World) -> None:
    await world.model("bare", capabilities=[])
    r = await world.api.post(
        "/v1/chat/completions", json={"model": "bare", "messages": MSG}, headers=world.headers
    )
    assert "its capabilities: none" in _error(r, 400, "model_capability_unsupported")["message"]


async def test_a_capability_change_applies_at_once(world: World) -> None:
    r = await world.api.patch(
        f"/v1/tenant-models/{world.model_id}",
        json={"capabilities": ["chat", "embeddings"]},
        headers=world.org.headers,
    )
    assert r.status_code == 200, r.text
    r = await world.api.post(
        "/v1/embeddings", json={"model": world.alias, "input": "x"}, headers=world.headers
    )
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("alias", "upstream", "expected"),
    [
        ("emb", "text-embedding-3-small", ["embeddings"]),
        ("nomic", "nomic-embed-text", ["embeddings"]),
        ("my-embedder", "bge-m3", ["embeddings"]),
        ("small", "gpt-4o-mini", ["chat"]),
        ("llama", "llama3.1:8b", ["chat"]),
    ],
)
async def test_registration_defaults_capabilities_from_the_names(
    world: World, alias: str, upstream: str, expected: list[str]
) -> None:
    model = await world.model(
        alias, targets=[{"provider_id": world.provider_id, "upstream_model": upstream}]
    )
    assert model["capabilities"] == expected
    given = await world.model(
        f"{alias}-given",
        capabilities=["chat", "reasoning"],
        targets=[{"provider_id": world.provider_id, "upstream_model": upstream}],
    )
    assert given["capabilities"] == ["chat", "reasoning"]  # what is given is kept


async def test_the_openai_sdk_raises_its_bad_request_error(world: World, live: LiveServer) -> None:
    async with openai.AsyncOpenAI(
        base_url=f"{live.url}/v1",
        api_key=world.org.key,
        default_headers={"X-Space-Id": world.space_id},
        max_retries=0,
    ) as client:
        with pytest.raises(openai.BadRequestError) as caught:
            await client.embeddings.create(model=world.alias, input="x")
    assert caught.value.code == "model_capability_unsupported"
