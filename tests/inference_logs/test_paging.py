"""``GET /v1/inference-logs`` pages as seed 004 says: ``page`` (default 1) and ``page_size``
(default 20). ``limit`` is honoured as another name for ``page_size``; other lists' ``after`` /
``cursor`` are refused rather than ignored; ``has_more`` is true exactly when ``next_page`` names
the next page. The Python client and the CLI walk the pages the same way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from spacegate.client import AsyncSpacegate, LogFilter
from spacegate.runtime import Runtime
from tests.usage.ledger import Ledger, make_ledger


async def _page(ledger: Ledger, **params: Any) -> httpx.Response:
    return await ledger.client.get(
        "/v1/inference-logs", params={"model": "alpha", **params}, headers=ledger.org.headers
    )


async def _seeded(client: httpx.AsyncClient, runtime: Runtime, calls: int) -> Ledger:
    ledger = await make_ledger(client, runtime)
    await ledger.record("red", "alpha", datetime.now(UTC) - timedelta(minutes=1), calls=calls)
    return ledger


async def test_page_and_page_size_and_their_defaults(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ledger = await _seeded(client, runtime, 25)
    first = (await _page(ledger)).json()
    assert (first["count"], first["page"], first["page_size"]) == (20, 1, 20)
    assert first["has_more"] is True and first["next_page"] == 2
    last = (await _page(ledger, page=first["next_page"])).json()
    assert last["count"] == 5 and last["has_more"] is False and last["next_page"] is None
    ids = [r["id"] for r in first["data"] + last["data"]]
    assert len(set(ids)) == 25  # every row once, across the pages

    sized = (await _page(ledger, page=3, page_size=10)).json()
    assert (sized["count"], sized["has_more"], sized["next_page"]) == (5, False, None)
    assert [r["id"] for r in sized["data"]] == ids[20:]
    exact = (await _page(ledger, page_size=25)).json()
    assert exact["count"] == 25 and exact["has_more"] is False and exact["next_page"] is None
    beyond = (await _page(ledger, page=9)).json()
    assert beyond == {
        "count": 0,
        "data": [],
        "has_more": False,
        "page": 9,
        "page_size": 20,
        "next_page": None,
        "currency": "USD",
    }


async def test_limit_is_page_size_and_other_paging_is_refused(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ledger = await _seeded(client, runtime, 4)
    limited = (await _page(ledger, limit=3)).json()
    assert limited["count"] == 3 and limited["page_size"] == 3 and limited["next_page"] == 2
    assert (await _page(ledger, limit=3, page_size=3)).json()["count"] == 3

    both = await _page(ledger, limit=3, page_size=2)
    assert both.status_code == 400 and both.json()["code"] == "invalid_paging"
    assert "page_size" in both.json()["detail"]
    for name in ("after", "cursor"):
        refused = await _page(ledger, **{name: "anything"})
        assert refused.status_code == 400, name
        assert refused.json()["code"] == "invalid_paging" and name in refused.json()["detail"]
    for bad in ({"limit": 0}, {"limit": 101}, {"page_size": 0}, {"page": 0}):
        assert (await _page(ledger, **bad)).status_code == 422, bad


async def test_the_client_walks_every_page(
    app: FastAPI, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ledger = await _seeded(client, runtime, 7)
    transport = httpx.ASGITransport(app=app)
    async with AsyncSpacegate(
        "http://spacegate.test", ledger.org.key, http_transport=transport
    ) as sg:
        rows = [r async for r in sg.inference_logs.list(LogFilter(model="alpha"), page_size=3)]
    assert len({r.id for r in rows}) == 7
