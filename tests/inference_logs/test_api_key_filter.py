"""``api_key_id`` on ``GET /v1/inference-logs`` and its summary: the calls made with one key of
the caller's org; another org's key matches nothing. Through HTTP and the Python client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from spacegate.client import AsyncSpacegate, LogFilter
from spacegate.runtime import Runtime
from tests.factories import OrgCtx, make_key
from tests.usage.ledger import Ledger, make_ledger


async def _logs(ledger: Ledger, org: OrgCtx | None = None, **params: Any) -> list[dict[str, Any]]:
    r = await ledger.client.get(
        "/v1/inference-logs",
        params={"page_size": 100, **params},
        headers=(org or ledger.org).headers,
    )
    assert r.status_code == 200, r.text
    data: list[dict[str, Any]] = r.json()["data"]
    return data


async def _calls_per_key(ledger: Ledger) -> tuple[str, str]:
    """Three calls with key A, one with key B, one with neither, a minute ago."""
    _, a = await make_key(ledger.client, ledger.org, name="batch")
    _, b = await make_key(ledger.client, ledger.org, name="notebook")
    at = datetime.now(UTC) - timedelta(minutes=1)
    await ledger.record("red", "alpha", at, calls=3, key_id=str(a["id"]))
    await ledger.record("blue", "beta", at, key_id=str(b["id"]))
    await ledger.record("red", "beta", at)
    return str(a["id"]), str(b["id"])


async def test_logs_and_summary_filtered_by_api_key(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ledger = await make_ledger(client, runtime)
    a, b = await _calls_per_key(ledger)
    assert len(await _logs(ledger)) == 5

    with_a = await _logs(ledger, api_key_id=a)
    assert len(with_a) == 3 and {r["api_key_id"] for r in with_a} == {a}
    [with_b] = await _logs(ledger, api_key_id=b)
    assert with_b["model"] == "beta" and with_b["space_id"] == ledger.spaces["blue"]
    # With the other filters: key A never called beta.
    assert await _logs(ledger, api_key_id=a, model="beta") == []
    assert len(await _logs(ledger, api_key_id=a, space_id=ledger.spaces["red"])) == 3

    r = await client.get(
        "/v1/inference-logs/summary", params={"api_key_id": a}, headers=ledger.org.headers
    )
    assert r.status_code == 200, r.text
    summary = r.json()
    assert summary["total_calls"] == 3 and set(summary["model_usage"]) == {"alpha"}

    r = await client.get(
        "/v1/inference-logs", params={"api_key_id": "nope"}, headers=ledger.org.headers
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "api_key_id"]


async def test_another_orgs_key_matches_nothing(
    client: httpx.AsyncClient, runtime: Runtime, other_org: OrgCtx
) -> None:
    ledger = await make_ledger(client, runtime)
    a, _ = await _calls_per_key(ledger)
    _, foreign = await make_key(client, other_org, name="elsewhere")

    assert await _logs(ledger, api_key_id=str(foreign["id"])) == []
    # The other org asking for our key's calls sees none of them (and no error that would tell
    # it the key exists).
    assert await _logs(ledger, other_org, api_key_id=a) == []
    r = await client.get(
        "/v1/inference-logs/summary", params={"api_key_id": a}, headers=other_org.headers
    )
    assert r.status_code == 200 and r.json()["total_calls"] == 0


async def test_the_client_filters_by_api_key(
    app: FastAPI, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ledger = await make_ledger(client, runtime)
    a, b = await _calls_per_key(ledger)
    transport = httpx.ASGITransport(app=app)
    async with AsyncSpacegate(
        "http://spacegate.test", ledger.org.key, http_transport=transport
    ) as sg:
        rows = await sg.inference_logs.list(LogFilter(api_key_id=a)).to_list()
        assert len(rows) == 3 and {str(r.api_key_id) for r in rows} == {a}
        summary = await sg.inference_logs.summary(LogFilter(api_key_id=b))
        assert summary.total_calls == 1


async def test_the_filter_is_documented(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    for path in ("/v1/inference-logs", "/v1/inference-logs/summary"):
        [param] = [p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == "api_key_id"]
        assert param["in"] == "query" and not param.get("required", False)
        assert "API key" in param["description"]
        assert param["schema"]["anyOf"][0]["format"] == "uuid"
