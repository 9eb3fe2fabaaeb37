"""Calls Spacegate refuses itself are in the inference log: status ``error``, the refusal's code
and the rule or limit behind it, no provider call, no tokens, and no usage; counted in the
summary and in ``/metrics``, and filterable."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx

from spacegate.client import AsyncSpacegate, LogFilter
from tests.gateway.conftest import World
from tests.live import LiveServer

MSG = [{"role": "user", "content": "hello"}]


async def _post(world: World, path: str = "/v1/chat/completions", **body: Any) -> httpx.Response:
    return await world.api.post(path, json=body, headers=world.headers)


async def _logs(world: World, expected: int, **params: Any) -> list[dict[str, Any]]:
    """The space's log rows matching ``params``, once ``expected`` of them were written (the
    meter writes in batches, a little after the call)."""
    deadline = time.monotonic() + 30
    while True:
        r = await world.api.get(
            "/v1/inference-logs",
            params={"space_id": world.space_id, "page_size": 100, **params},
            headers=world.org.headers,
        )
        assert r.status_code == 200, r.text
        data: list[dict[str, Any]] = r.json()["data"]
        if len(data) >= expected or time.monotonic() > deadline:
            return data
        await asyncio.sleep(0.05)


async def _refuse_four_ways(world: World) -> None:
    """A 403 (entitlement), a 400 (bad request), a 429 (rpm) and a 402 (token budget)."""
    assert (await _post(world, model="not-here", messages=MSG)).status_code == 403
    r = await world.api.post("/v1/chat/completions", content=b"{not json", headers=world.headers)
    assert r.status_code == 400
    limited = await world.model("limited")
    r = await world.mechamental("PATCH", "limited", workspace_limits={"rpm": 1})
    assert r.status_code == 200, r.text
    assert (await _post(world, model="limited", messages=MSG)).status_code == 200
    assert (await _post(world, model="limited", messages=MSG)).status_code == 429
    await world.model("budgeted")
    r = await world.mechamental(
        "PATCH", "budgeted", workspace_limits={"token_budget": {"limit": 5, "period": "day"}}
    )
    assert r.status_code == 200, r.text
    assert (await _post(world, model="budgeted", messages=MSG)).status_code == 402
    assert limited["alias"] == "limited"


async def test_every_refusal_is_logged_with_its_code_and_rule_and_no_provider_call(
    world: World,
) -> None:
    await _refuse_four_ways(world)
    assert len(world.fake.requests) == 1  # only the admitted call reached the provider
    rows = await _logs(world, 5)
    refused = {r["error_code"]: r for r in rows if r["refused"]}
    assert set(refused) == {
        "model_not_entitled",
        "invalid_json",
        "rate_limit_exceeded",
        "token_budget_exhausted",
    }
    expected = {
        "model_not_entitled": (403, "entitlement", "not-here"),
        "invalid_json": (400, "request", ""),
        "rate_limit_exceeded": (429, "rpm", "limited"),
        "token_budget_exhausted": (402, "token_budget", "budgeted"),
    }
    for code, (status, rule, model) in expected.items():
        row = refused[code]
        assert (row["status"], row["http_status"], row["refused_by"]) == ("error", status, rule)
        assert row["total_tokens"] == row["prompt_tokens"] == row["completion_tokens"] == 0
        assert row["upstream_model"] is None and row["error"]
        assert row["user_id"] == world.org.user_id and row["space_id"] == world.space_id
        assert row["model"] == model
    assert "per minute" in refused["rate_limit_exceeded"]["error"]
    [ok] = [r for r in rows if not r["refused"]]
    assert ok["status"] == "success" and ok["error_code"] is None and ok["refused_by"] is None


async def test_refusals_are_not_usage(world: World) -> None:
    model = await world.model("counted")
    r = await world.mechamental("PATCH", "counted", workspace_limits={"rpm": 1})
    assert r.status_code == 200, r.text
    assert (await _post(world, model="counted", messages=MSG)).status_code == 200
    for _ in range(3):
        assert (await _post(world, model="counted", messages=MSG)).status_code == 429
    assert len(await _logs(world, 4, model="counted")) == 4
    r = await world.api.get(
        "/v1/usage", params={"space_id": world.space_id}, headers=world.org.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["totals"]["requests"] == 1
    r = await world.mechamental("GET", "counted")
    assert r.status_code == 200, r.text
    assert r.json()["request_count"] == 1, model


async def test_summary_counts_refusals_and_filters_find_them(world: World) -> None:
    await _refuse_four_ways(world)
    await _logs(world, 5)
    r = await world.api.get(
        "/v1/inference-logs/summary",
        params={"space_id": world.space_id},
        headers=world.org.headers,
    )
    assert r.status_code == 200, r.text
    summary = r.json()
    assert summary["total_calls"] == 5 and summary["success_rate"] == 0.2
    assert summary["refused_calls"] == 4
    assert summary["refusals"] == {
        "model_not_entitled": 1,
        "invalid_json": 1,
        "rate_limit_exceeded": 1,
        "token_budget_exhausted": 1,
    }
    assert len(await _logs(world, 4, refused="true")) == 4
    [reached] = await _logs(world, 1, refused="false")
    assert reached["status"] == "success"
    [limited] = await _logs(world, 1, error_code="rate_limit_exceeded")
    assert limited["http_status"] == 429
    assert await _logs(world, 0, error_code="nothing_like_it") == []
    r = await world.api.get(
        "/v1/inference-logs/summary",
        params={"space_id": world.space_id, "refused": "false"},
        headers=world.org.headers,
    )
    assert r.json()["total_calls"] == 1 and r.json()["refused_calls"] == 0
    r = await world.api.get(
        "/v1/inference-logs", params={"refused": "maybe"}, headers=world.org.headers
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "refused"]


async def test_sdk_filters_refusals(world: World, live: LiveServer) -> None:
    await _refuse_four_ways(world)
    await _logs(world, 5)
    async with AsyncSpacegate(live.url, world.org.key) as sg:
        only = LogFilter(space_id=world.space_id, refused=True)
        rows = await sg.inference_logs.list(only).to_list()
        assert len(rows) == 4 and all(r.refused and r.total_tokens == 0 for r in rows)
        budget = LogFilter(space_id=world.space_id, error_code="token_budget_exhausted")
        [row] = await sg.inference_logs.list(budget).to_list()
        assert row.refused_by == "token_budget"
        summary = await sg.inference_logs.summary(LogFilter(space_id=world.space_id))
        assert summary.refused_calls == 4 and summary.refusals["invalid_json"] == 1


async def test_refusals_before_the_space_is_known_and_unauthenticated_calls(
    world: World,
) -> None:
    """Authenticated but no space given: logged (without a space) for org-wide readers. Not
    authenticated: nobody to log it for."""
    correlation = f"c-{uuid.uuid4().hex}"
    r = await world.api.post(
        "/v1/chat/completions",
        json={"model": world.alias, "messages": MSG},
        headers={**world.org.headers, "X-Correlation-ID": correlation},
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "space_required"
    r = await world.api.post(
        "/v1/chat/completions",
        json={"model": world.alias, "messages": MSG},
        headers={"Authorization": "Bearer sg_nope", "X-Space-Id": world.space_id},
    )
    assert r.status_code == 401
    deadline = time.monotonic() + 30
    while True:
        r = await world.api.get(
            "/v1/inference-logs",
            params={"error_code": "space_required"},
            headers=world.org.headers,
        )
        rows = r.json()["data"]
        if rows or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    [row] = rows
    assert row["space_id"] is None and row["refused"] and row["refused_by"] == "request"
    assert await _logs(world, 0) == []  # nothing in the space: the 401 left no row


async def test_metrics_count_refusals_by_code(world: World) -> None:
    async def count() -> float:
        text = (await world.api.get("/metrics")).text
        total = 0.0
        for line in text.splitlines():
            if line.startswith("spacegate_gateway_refusals_total{") and (
                'code="model_not_entitled"' in line
            ):
                total += float(line.rsplit(" ", 1)[1])
        return total

    before = await count()
    for _ in range(2):
        assert (await _post(world, model="not-here", messages=MSG)).status_code == 403
    assert await count() == before + 2
