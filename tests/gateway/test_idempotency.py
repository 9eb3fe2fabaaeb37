"""`Idempotency-Key` on inference: a retry with the same key and body gets the stored answer
(a stream as the same SSE events), without a second provider call or a second metered call."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from spacegate.models import InferenceLog
from spacegate.runtime import Runtime
from tests.factories import make_key
from tests.gateway.conftest import World

MSG = [{"role": "user", "content": "one two three"}]
BODIES: dict[str, dict[str, Any]] = {
    "/v1/chat/completions": {"messages": MSG},
    "/v1/completions": {"prompt": "one two three"},
    "/v1/embeddings": {"input": "one two three"},
}


def _key() -> str:
    return f"retry-{uuid.uuid4().hex}"


def _upstream_calls(world: World) -> int:
    return len(world.fake.requests)


async def _logged(runtime: Runtime, world: World, at_least: int) -> int:
    """Calls in the space's inference log, once the batched writer has written ``at_least``."""
    stmt = (
        select(func.count())
        .select_from(InferenceLog)
        .where(InferenceLog.space_id == uuid.UUID(world.space_id))
    )
    deadline = time.monotonic() + 30
    value = -1
    while time.monotonic() < deadline:
        async with runtime.read_sessions() as s:
            value = int((await s.execute(stmt)).scalar() or 0)
        if value >= at_least:
            return value
        await asyncio.sleep(0.05)
    return value


@pytest.mark.parametrize("path", list(BODIES))
async def test_a_retry_replays_without_calling_or_metering_again(
    world: World, runtime: Runtime, path: str
) -> None:
    alias = world.alias
    if path == "/v1/embeddings":
        alias = (await world.model(capabilities=["embeddings"]))["alias"]
    body = {"model": alias, **BODIES[path]}
    headers = {**world.headers, "Idempotency-Key": _key()}
    first = await world.api.post(path, json=body, headers=headers)
    assert first.status_code == 200, first.text
    assert "idempotent-replayed" not in first.headers
    assert _upstream_calls(world) == 1

    again = await world.api.post(path, json=body, headers=headers)
    assert again.status_code == 200, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert again.headers["content-type"].startswith("application/json")
    assert _upstream_calls(world) == 1

    # One call without a key, written after the replay would have been: two calls in the log.
    plain = await world.api.post(path, json=body, headers=world.headers)
    assert plain.status_code == 200
    assert await _logged(runtime, world, 2) == 2
    assert _upstream_calls(world) == 2


async def test_a_stream_is_replayed_as_the_same_events(world: World, runtime: Runtime) -> None:
    body = {"model": world.alias, "messages": MSG, "stream": True}
    headers = {**world.headers, "Idempotency-Key": _key()}
    first = await world.api.post("/v1/chat/completions", json=body, headers=headers)
    assert first.status_code == 200, first.text
    assert first.text.rstrip().endswith("data: [DONE]")
    again = await world.api.post("/v1/chat/completions", json=body, headers=headers)
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["content-type"].startswith("text/event-stream")
    assert again.content == first.content
    assert _upstream_calls(world) == 1
    assert await _logged(runtime, world, 1) == 1


async def test_another_body_is_422_and_in_flight_is_409(world: World) -> None:
    slow = await world.model(
        "slow", targets=[{"provider_id": world.provider_id, "upstream_model": "m+slow-drip"}]
    )
    key = _key()
    headers = {**world.headers, "Idempotency-Key": key}
    body = {"model": slow["alias"], "messages": MSG, "stream": True}
    async with world.api.stream("POST", "/v1/chat/completions", json=body, headers=headers) as r:
        assert r.status_code == 200
        chunks = r.aiter_bytes()
        await chunks.__anext__()  # the first call is under way
        busy = await world.api.post("/v1/chat/completions", json=body, headers=headers)
        assert busy.status_code == 409, busy.text
        assert busy.json()["error"]["code"] == "idempotency_key_in_use"
        assert busy.headers["Retry-After"]
        async for _ in chunks:
            pass
    other = await world.api.post(
        "/v1/chat/completions", json={**body, "temperature": 0.5}, headers=headers
    )
    assert other.status_code == 422, other.text
    error = other.json()["error"]
    assert error["code"] == "idempotency_key_reused" and error["param"] == "Idempotency-Key"
    assert _upstream_calls(world) == 1


async def test_keys_are_per_api_key(world: World) -> None:
    second_key, _ = await make_key(world.api, world.org, name="second")
    body = {"model": world.alias, "messages": MSG}
    key = _key()
    first = await world.api.post(
        "/v1/chat/completions", json=body, headers={**world.headers, "Idempotency-Key": key}
    )
    assert first.status_code == 200
    other = await world.api.post(
        "/v1/chat/completions",
        json=body,
        headers={
            "Authorization": f"Bearer {second_key}",
            "X-Space-Id": world.space_id,
            "Idempotency-Key": key,
        },
    )
    assert other.status_code == 200, other.text
    assert "idempotent-replayed" not in other.headers
    assert _upstream_calls(world) == 2


async def test_a_failed_call_is_not_stored(world: World) -> None:
    failing = await world.model(
        "failing", targets=[{"provider_id": world.provider_id, "upstream_model": "z+500"}]
    )
    body = {"model": failing["alias"], "messages": MSG}
    headers = {**world.headers, "Idempotency-Key": _key()}
    for _ in range(2):
        r = await world.api.post("/v1/chat/completions", json=body, headers=headers)
        assert r.status_code == 502, r.text
        assert "idempotent-replayed" not in r.headers
    assert _upstream_calls(world) == 2


@pytest.mark.parametrize("bad", [b"", b"x" * 256, "caf\u00e9".encode()])
async def test_a_malformed_key_is_400(world: World, bad: bytes) -> None:
    r = await world.api.post(
        "/v1/chat/completions",
        json={"model": world.alias, "messages": MSG},
        headers=[
            *((k.encode(), v.encode()) for k, v in world.headers.items()),
            (b"Idempotency-Key", bad),
        ],
    )
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "invalid_idempotency_key"
    assert _upstream_calls(world) == 0
