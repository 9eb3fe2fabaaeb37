"""``Idempotency-Key`` on POST: replay, mismatch, scoping, concurrency, validation."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from spacegate.models import IdempotencyKey, Space
from spacegate.runtime import Runtime
from tests.factories import OrgCtx


async def _spaces(runtime: Runtime, org: OrgCtx) -> int:
    async with runtime.read_sessions() as s:
        n = await s.scalar(
            select(func.count()).select_from(Space).where(Space.org_id == uuid.UUID(org.org_id))
        )
    return int(n or 0)


def _h(org: OrgCtx, key: str) -> dict[str, str]:
    return {**org.headers, "Idempotency-Key": key}


async def test_same_key_same_body_replays_byte_for_byte(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx
) -> None:
    body = {"name": "once", "description": "d"}
    first = await client.post("/v1/spaces", json=body, headers=_h(org, "k-1"))
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    # Same JSON with its keys in another order is the same request.
    again = await client.post(
        "/v1/spaces",
        content=b'{"description": "d", "name": "once"}',
        headers={**_h(org, "k-1"), "Content-Type": "application/json"},
    )
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"] == first.headers["content-type"]
    assert await _spaces(runtime, org) == 1


async def test_same_key_other_body_or_route_is_422(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx
) -> None:
    r = await client.post("/v1/spaces", json={"name": "a", "description": ""}, headers=_h(org, "k"))
    assert r.status_code == 201
    r = await client.post("/v1/spaces", json={"name": "b", "description": ""}, headers=_h(org, "k"))
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    r = await client.post("/v1/api-keys", json={"name": "a"}, headers=_h(org, "k"))
    assert r.status_code == 422
    assert await _spaces(runtime, org) == 1


async def test_keys_are_scoped_per_org(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx, other_org: OrgCtx
) -> None:
    body = {"name": "same", "description": ""}
    mine = await client.post("/v1/spaces", json=body, headers=_h(org, "shared"))
    theirs = await client.post("/v1/spaces", json=body, headers=_h(other_org, "shared"))
    assert mine.status_code == theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert theirs.json()["id"] != mine.json()["id"]
    assert mine.json()["id"] not in theirs.text
    assert await _spaces(runtime, org) == await _spaces(runtime, other_org) == 1


async def test_failed_request_releases_the_key(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx
) -> None:
    r = await client.post("/v1/spaces", json={"name": "x"}, headers=_h(org, "retry-me"))
    assert r.status_code == 422
    async with runtime.read_sessions() as s:
        assert (
            await s.scalar(
                select(IdempotencyKey.id).where(
                    IdempotencyKey.org_id == uuid.UUID(org.org_id), IdempotencyKey.key == "retry-me"
                )
            )
        ) is None
    r = await client.post(
        "/v1/spaces", json={"name": "x", "description": ""}, headers=_h(org, "retry-me")
    )
    assert r.status_code == 201


async def test_concurrent_identical_requests_make_one_space(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx
) -> None:
    body = {"name": "race", "description": ""}
    results = await asyncio.gather(
        *(client.post("/v1/spaces", json=body, headers=_h(org, "race")) for _ in range(50))
    )
    statuses = [r.status_code for r in results]
    assert set(statuses) <= {201, 409}, statuses
    winners = [r for r in results if r.status_code == 201]
    assert len({r.content for r in winners}) == 1
    assert sum(1 for r in winners if "idempotent-replayed" not in r.headers) == 1
    for r in results:
        if r.status_code == 409:
            assert r.json()["code"] == "idempotency_key_in_use" and r.headers["retry-after"]
    assert await _spaces(runtime, org) == 1
    replay = await client.post("/v1/spaces", json=body, headers=_h(org, "race"))
    assert replay.status_code == 201 and replay.content == winners[0].content


@pytest.mark.parametrize(
    "key", ["x" * 256, "tab\there", "bell\x07", "del\x7f", "caf\u00e9", '""'], ids=repr
)
async def test_invalid_keys_are_400(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx, key: str
) -> None:
    r = await client.post(
        "/v1/spaces",
        json={"name": "x", "description": ""},
        headers=[
            *((k.encode(), v.encode()) for k, v in org.headers.items()),
            (b"Idempotency-Key", key.encode("latin-1")),
        ],
    )
    assert r.status_code == 400, r.text
    assert r.json()["code"] == "invalid_idempotency_key"
    assert await _spaces(runtime, org) == 0


async def test_longest_valid_key_and_quoted_form(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx
) -> None:
    body = {"name": "x", "description": ""}
    assert (
        await client.post("/v1/spaces", json=body, headers=_h(org, "y" * 255))
    ).status_code == 201
    first = await client.post("/v1/spaces", json=body, headers=_h(org, "abc"))
    quoted = await client.post("/v1/spaces", json=body, headers=_h(org, '"abc"'))
    assert quoted.headers.get("idempotent-replayed") == "true"
    assert quoted.content == first.content
    assert await _spaces(runtime, org) == 2


async def test_a_stored_answer_holding_a_secret_is_not_kept_in_clear(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx
) -> None:
    """A new API key is shown once; the copy kept for replays is encrypted at rest, and the
    replay still gives the caller the same key."""
    headers = _h(org, f"key-{uuid.uuid4().hex}")
    first = await client.post("/v1/api-keys", json={"name": "ci"}, headers=headers)
    assert first.status_code == 201, first.text
    secret = first.json()["key"]
    async with runtime.read_sessions() as s:
        stored = await s.scalar(
            select(IdempotencyKey.response_body).where(
                IdempotencyKey.org_id == uuid.UUID(org.org_id),
                IdempotencyKey.key == headers["Idempotency-Key"],
            )
        )
    assert stored and secret.encode() not in stored and secret[-8:].encode() not in stored
    again = await client.post("/v1/api-keys", json={"name": "ci"}, headers=headers)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["key"] == secret
