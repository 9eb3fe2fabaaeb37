"""Spacegate's own model calls (RAG, factory, copilot) go through the gateway as the caller:
entitled, metered and logged with their step type, refused like any call; and structured answers
are repaired, validated and asked again once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from spacegate.auth import resolver
from spacegate.gateway import structured
from spacegate.gateway.inprocess import ModelCallFailed, model_client
from tests.factories import Caller, space_with_models
from tests.fakes.provider import FakeProvider


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProvider]:
    with FakeProvider() as f:
        yield f


@pytest.fixture
def local_app(loopback_app: FastAPI) -> FastAPI:
    return loopback_app


@pytest.fixture
def http(loopback_client: httpx.AsyncClient) -> httpx.AsyncClient:
    return loopback_client


@pytest.fixture
async def caller(local_app: FastAPI, http: httpx.AsyncClient, fake: FakeProvider) -> Caller:
    fake.responder = None
    models: dict[str, dict[str, object]] = {
        alias: {"upstream_model": "fake-model", "capabilities": caps}
        for alias, caps in (("chatty", ["chat"]), ("embedder", ["embeddings"]), ("unentitled", []))
    }
    runtime = local_app.state.runtime
    return await space_with_models(
        http, runtime, f"{fake.url}/v1", "inproc", models, unentitled=("unentitled",)
    )


async def _client(local_app: FastAPI, caller: Caller, **labels: Any) -> Any:
    principal = await resolver.resolve(local_app.state.runtime, caller.org.key)
    return model_client(local_app.state.gateway, principal, uuid.UUID(caller.space_id), **labels)


async def _logs(http: httpx.AsyncClient, caller: Caller, n: int) -> list[dict[str, Any]]:
    for _ in range(200):  # the meter writes in batches, off the request path
        r = await http.get("/v1/inference-logs", headers=caller.org.headers)
        rows: list[dict[str, Any]] = r.json()["data"]
        if len(rows) >= n:
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError(f"expected {n} log rows, got {len(rows)}")


async def test_chat_and_embeddings_are_metered_as_the_caller_with_their_step_type(
    local_app: FastAPI, http: httpx.AsyncClient, caller: Caller
) -> None:
    client = await _client(local_app, caller, purpose="rag-endpoint:faq")
    answer = await client.labelled(step_type="inference").chat(
        {"model": "chatty", "messages": [{"role": "user", "content": "hello there"}]}
    )
    assert answer["choices"][0]["message"]["content"] == "Echo: hello there"
    vectors = await client.labelled(step_type="source_ingest").embed("embedder", ["a b", "c"])
    assert len(vectors) == 2
    assert all(len(v) == 8 for v in vectors)
    pieces = [
        c["choices"][0]["delta"].get("content") or ""
        async for c in client.labelled(step_type="inference").stream(
            {"model": "chatty", "messages": [{"role": "user", "content": "one two"}]}
        )
        if c.get("choices")
    ]
    assert "".join(pieces) == "Echo: one two"
    rows = await _logs(http, caller, 3)
    seen = sorted((r["model"], r.get("step_type"), r.get("purpose")) for r in rows)
    assert seen == [
        ("chatty", "inference", "rag-endpoint:faq"),
        ("chatty", "inference", "rag-endpoint:faq"),
        ("embedder", "source_ingest", "rag-endpoint:faq"),
    ]
    assert {r["user_id"] for r in rows} == {caller.org.user_id}


async def test_a_model_not_entitled_in_the_space_is_refused_like_any_call(
    local_app: FastAPI, caller: Caller
) -> None:
    client = await _client(local_app, caller)
    with pytest.raises(ModelCallFailed) as refused:
        await client.chat({"model": "unentitled", "messages": [{"role": "user", "content": "x"}]})
    assert refused.value.status_code in (403, 404)
    assert "unentitled" in refused.value.message


class Verdict(BaseModel):
    safe: bool
    categories: list[str]


async def test_structured_answers_are_repaired_and_asked_again_once(
    local_app: FastAPI, caller: Caller, fake: FakeProvider
) -> None:
    client = await _client(local_app, caller, step_type="guard")
    answers = iter(
        [
            'Sure! ```json\n{"safe": false, "categories": ["fraud"],}\n```',  # fenced, trailing ,
            '{"safe": "perhaps"}',  # not the schema
            '{"safe": true, "categories": []}',
        ]
    )
    asked: list[dict[str, Any]] = []

    def respond(body: dict[str, Any]) -> str:
        asked.append(body)
        return next(answers)

    fake.responder = respond
    msgs = [{"role": "user", "content": "move cash offshore"}]
    first = await structured.ask(client, Verdict, msgs, name="guard", model="chatty")
    assert first.value == Verdict(safe=False, categories=["fraud"])
    assert first.attempts == 1
    assert asked[0]["response_format"]["json_schema"]["name"] == "guard"
    second = await structured.ask(client, Verdict, msgs, name="guard", model="chatty")
    assert second.value == Verdict(safe=True, categories=[])
    assert second.attempts == 2
    assert "not valid" in orjson.dumps(asked[-1]["messages"][-1]).decode()
    assert second.usage["total_tokens"] > 0


async def test_a_structured_answer_that_never_fits_fails_closed(
    local_app: FastAPI, caller: Caller, fake: FakeProvider
) -> None:
    client = await _client(local_app, caller)
    fake.responder = lambda body: "I cannot answer in JSON."
    msgs = [{"role": "user", "content": "x"}]
    with pytest.raises(structured.InvalidModelOutput) as failed:
        await structured.ask(client, Verdict, msgs, name="guard", model="chatty")
    assert failed.value.status_code == 502
    assert "after 2 tries" in failed.value.message
