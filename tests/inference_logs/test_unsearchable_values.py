"""A filter value the database cannot search for is the request's fault: 400, never a 503 that
would send clients into retries against a database that is fine."""

from __future__ import annotations

import httpx

from tests.factories import OrgCtx


async def test_a_nul_character_in_a_filter_is_not_a_database_outage(
    client: httpx.AsyncClient, org: OrgCtx, database_url: str
) -> None:
    for params in ({"model": "gpt\x00"}, {"tag": "a\x00b"}, {"correlation_id": "\x00"}):
        r = await client.get("/v1/inference-logs", params=params, headers=org.headers)
        if database_url.startswith("postgresql"):
            # PostgreSQL text cannot hold NUL: the query itself is refused.
            assert r.status_code == 400, r.text
            assert r.json()["code"] == "invalid_value"
        else:
            assert r.status_code == 200 and r.json()["data"] == [], r.text
