"""What an answer says and what a call is labelled with, through the official OpenAI SDK:

- answers (plain, streamed, embeddings) name the alias the caller asked for, never the
  provider's model id, which stays in the log as ``upstream_model``;
- ``model: ""`` (SDKs always send a model) asks for the space's default model;
- tags come as a list, a comma-separated string (OpenAI's typed metadata is a map of strings)
  or the ``X-Spacegate-Tags`` header, and a label that cannot be kept is a 400, never dropped.
"""

from __future__ import annotations

import uuid
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam
from sqlalchemy import func, select

from spacegate.models import InferenceLog
from spacegate.runtime import Runtime
from tests.gateway.conftest import World
from tests.gateway.test_openai_sdk import client
from tests.gateway.test_routing_and_metering import _wait_for

__all__ = ["client"]

MSG: list[ChatCompletionMessageParam] = [{"role": "user", "content": "one two three"}]


async def _logged(runtime: Runtime, world: World, correlation_id: str) -> InferenceLog:
    stmt = select(InferenceLog).where(
        InferenceLog.space_id == uuid.UUID(world.space_id),
        InferenceLog.correlation_id == correlation_id,
    )
    count = select(func.count()).select_from(InferenceLog)
    await _wait_for(runtime, count.where(InferenceLog.correlation_id == correlation_id), 1)
    async with runtime.read_sessions() as s:
        row = (await s.scalars(stmt)).one()
    return row


async def test_answers_name_the_alias_and_the_log_keeps_the_upstream_name(
    client: openai.AsyncOpenAI, world: World, runtime: Runtime
) -> None:
    done = await client.chat.completions.create(
        model=world.alias, messages=MSG, extra_headers={"X-Correlation-ID": "named-plain"}
    )
    assert done.model == world.alias
    assert world.fake.last.json()["model"] == "fake-model"  # upstream was asked by its own name
    row = await _logged(runtime, world, "named-plain")
    assert (row.model, row.upstream_model) == (world.alias, "fake-model")

    by_id = await client.chat.completions.create(model=world.model_id, messages=MSG)
    assert by_id.model == world.alias

    stream = await client.chat.completions.create(
        model=world.alias,
        messages=MSG,
        stream=True,
        stream_options={"include_usage": True},
        extra_headers={"X-Correlation-ID": "named-stream"},
    )
    chunks = [chunk async for chunk in stream]
    assert len(chunks) > 2 and {c.model for c in chunks} == {world.alias}
    row = await _logged(runtime, world, "named-stream")
    assert row.upstream_model == "fake-model" and row.stream

    text = await client.completions.create(model=world.alias, prompt="one two")
    assert text.model == world.alias


async def test_embeddings_name_the_alias(client: openai.AsyncOpenAI, world: World) -> None:
    model = await world.model(capabilities=["embeddings"])
    vectors = await client.embeddings.create(model=model["alias"], input=["a", "b"])
    assert vectors.model == model["alias"] and len(vectors.data) == 2


async def test_an_empty_model_is_the_spaces_default(
    client: openai.AsyncOpenAI, world: World
) -> None:
    with pytest.raises(openai.BadRequestError) as refused:
        await client.chat.completions.create(model="", messages=MSG)
    assert refused.value.code == "model_required"  # no default yet: said so, not a 500
    r = await world.api.put(
        f"/api-proxy/v1/spaces/{world.space_id}/model-policy",
        json={"default_model_id": world.model_id, "mode": "dynamic"},
        headers=world.org.headers,
    )
    assert r.status_code == 200, r.text
    done = await client.chat.completions.create(model="", messages=MSG)
    assert done.model == world.alias and done.choices[0].message.content == "Echo: one two three"
    wrong = await world.api.post(
        "/v1/chat/completions", json={"model": 5, "messages": MSG}, headers=world.headers
    )
    assert wrong.status_code == 400 and wrong.json()["error"]["param"] == "model"


async def test_tags_as_a_string_a_list_and_a_header(
    client: openai.AsyncOpenAI, world: World, runtime: Runtime
) -> None:
    await client.chat.completions.create(
        model=world.alias,
        messages=MSG,
        metadata={"tags": "nightly, eval,,nightly", "purpose": "testing"},
        extra_headers={"X-Spacegate-Tags": "eval, team-a", "X-Correlation-ID": "tags-1"},
    )
    row = await _logged(runtime, world, "tags-1")
    assert row.tags == ["nightly", "eval", "team-a"] and row.purpose == "testing"
    # The labels are Spacegate's: the provider does not see them.
    assert "metadata" not in world.fake.last.json()

    await client.chat.completions.create(
        model=world.alias,
        messages=MSG,
        extra_body={"metadata": {"tags": ["a", "b"]}},
        extra_headers={"X-Correlation-ID": "tags-2"},
    )
    assert (await _logged(runtime, world, "tags-2")).tags == ["a", "b"]
    r = await world.api.get(
        "/v1/inference-logs", params={"tag": "team-a"}, headers=world.org.headers
    )
    assert [row["correlation_id"] for row in r.json()["data"]] == ["tags-1"]


@pytest.mark.parametrize(
    ("metadata", "headers", "param"),
    [
        ({"tags": ",".join(f"t{i}" for i in range(21))}, {}, "metadata.tags"),
        ({"tags": [f"t{i}" for i in range(21)]}, {}, "metadata.tags"),
        (
            {"tags": [f"t{i}" for i in range(15)]},
            {"X-Spacegate-Tags": "a,b,c,d,e,f"},
            "metadata.tags",
        ),
        ({"tags": 5}, {}, "metadata.tags"),
        ({"tags": {"a": "b"}}, {}, "metadata.tags"),
        ({"tags": ["ok", 7]}, {}, "metadata.tags"),
        ({"purpose": 5}, {}, "metadata.purpose"),
        ({"type": ["batch"]}, {}, "metadata.type"),
        ({}, {"X-Spacegate-Tags": "fine, " + "x" * 65}, "X-Spacegate-Tags"),
    ],
)
async def test_a_label_that_cannot_be_kept_is_refused(
    world: World, metadata: dict[str, Any], headers: dict[str, str], param: str
) -> None:
    before = len(world.fake.requests)
    r = await world.api.post(
        "/v1/chat/completions",
        json={"model": world.alias, "messages": MSG, "metadata": metadata},
        headers={**world.headers, **headers},
    )
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == param
    assert len(world.fake.requests) == before  # refused before the provider was asked
