"""Keyset pages over a space's models: complete under churn, and cursors that cannot be forged."""

from __future__ import annotations

import asyncio
import base64

import httpx
import pytest

from tests.entitlements.helpers import allow, make_models, me_path, new_space
from tests.factories import OrgCtx


async def test_walk_under_churn_sees_every_survivor_once(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await new_space(client, org)
    models = await make_models(client, org, 30)
    initial, extra = models[:20], models[20:]
    for m in initial:
        await allow(client, org, space, m["tenant_model_id"])
    doomed = {m["tenant_model_id"] for m in initial[4::3]}  # spread over pages not yet read
    survivors = {m["tenant_model_id"] for m in initial} - doomed

    turn, done = asyncio.Event(), asyncio.Event()
    # Deletions and insertions interleaved, so both happen on pages not yet read.
    todo: list[tuple[str, str]] = []
    for d, m in zip(sorted(doomed), extra, strict=False):
        todo += [("del", d), ("add", m["tenant_model_id"])]
    applied: list[str] = []
    stop = False

    async def churn() -> None:
        # Another task, writing between (and so around) the reader's page fetches.
        while True:
            await turn.wait()
            turn.clear()
            if stop:
                return
            for _ in range(2):
                if not todo:
                    break
                op, mid = todo.pop(0)
                if op == "del":
                    r = await client.delete(
                        f"/api-proxy/v1/spaces/{space}/models/{mid}", headers=org.headers
                    )
                    assert r.status_code == 204
                else:
                    await allow(client, org, space, mid)
                applied.append(op)
            done.set()

    async def let_writer_run() -> None:
        done.clear()
        turn.set()
        waiter = asyncio.ensure_future(done.wait())
        await asyncio.wait([waiter, writer], return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if writer.done():
            writer.result()  # surface the writer's failure instead of waiting forever

    writer = asyncio.create_task(churn())
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        r = await client.get(
            f"/api-proxy/v1/spaces/{space}/models", params=params, headers=org.headers
        )
        assert r.status_code == 200, r.text
        page = r.json()
        seen += [m["tenant_model_id"] for m in page["data"]]
        if not page["meta"]["has_more"]:
            break
        cursor = page["meta"]["next_cursor"]
        if todo:
            await let_writer_run()
    stop = True
    turn.set()
    await writer

    assert "del" in applied and "add" in applied  # the walk really ran under churn
    assert len(seen) == len(set(seen)), "an item was repeated"
    assert survivors <= set(seen), "a surviving item was skipped"
    # Every item seen was allowed in the space at some point of the walk.
    assert set(seen) <= {m["tenant_model_id"] for m in models}


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "", "%00", "\x00", "a" * 500, "eyJmb28iOiAiYmFyIn0", "====", "-_-_"],
)
async def test_garbage_cursor_is_400(client: httpx.AsyncClient, org: OrgCtx, cursor: str) -> None:
    space = await new_space(client, org)
    (m,) = await make_models(client, org, 1)
    await allow(client, org, space, m["tenant_model_id"])
    for url in (f"/api-proxy/v1/spaces/{space}/models", me_path(org, space)):
        r = await client.get(url, params={"cursor": cursor}, headers=org.headers)
        if cursor == "":  # an empty cursor is the first page
            assert r.status_code == 200
            continue
        assert r.status_code in (400, 422), r.text
        assert "detail" in r.json()


async def test_tampered_or_foreign_cursor_is_400(
    client: httpx.AsyncClient, org: OrgCtx, other_org: OrgCtx
) -> None:
    space, other_space = await new_space(client, org), await new_space(client, org)
    models = await make_models(client, org, 3)
    for m in models:
        await allow(client, org, space, m["tenant_model_id"])
        await allow(client, org, other_space, m["tenant_model_id"])
    url = f"/api-proxy/v1/spaces/{space}/models"
    r = await client.get(url, params={"limit": "1"}, headers=org.headers)
    cursor = r.json()["meta"]["next_cursor"]
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[-3] ^= 0x01  # flip one bit of the position
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    r = await client.get(url, params={"cursor": tampered}, headers=org.headers)
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_cursor"
    # A cursor of one space is refused on another.
    r = await client.get(
        f"/api-proxy/v1/spaces/{other_space}/models",
        params={"cursor": cursor},
        headers=org.headers,
    )
    assert r.status_code == 400
    # Both dialects page the same rows in the same order, so the cursor carries over.
    r = await client.get(me_path(org, space), params={"cursor": cursor}, headers=org.headers)
    assert r.status_code == 200
    assert [e["logical_model_id"] for e in r.json()["entitlements"]] == [
        m["alias"] for m in models[1:]
    ]
    # Another org replaying it sees nothing of ours.
    r = await client.get(url, params={"cursor": cursor}, headers=other_org.headers)
    assert r.status_code == 404
