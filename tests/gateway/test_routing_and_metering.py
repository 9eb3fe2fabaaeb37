"""Fallback across targets, provider protocols end to end, and metering that loses nothing."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from spacegate.models import Entitlement, InferenceLog, UsageLedgerEntry
from spacegate.runtime import Runtime
from tests.gateway.conftest import World

MSG = [{"role": "user", "content": "one two three"}]


async def _chat(w: World, alias: str, **extra: Any) -> httpx.Response:
    return await w.api.post(
        "/v1/chat/completions", json={"model": alias, "messages": MSG, **extra}, headers=w.headers
    )


def _targets(w: World, *models: str) -> list[dict[str, Any]]:
    return [
        {"provider_id": w.provider_id, "upstream_model": m, "priority": i}
        for i, m in enumerate(models)
    ]


async def test_fallback_to_the_next_target_on_5xx_and_429(world: World) -> None:
    model = await world.model(
        "fallback", targets=_targets(world, "fake+500", "fake+429", "fake-ok")
    )
    r = await _chat(world, model["alias"])
    assert r.status_code == 200, r.text
    tried = [
        req.json()["model"] for req in world.fake.requests if req.path.endswith("/chat/completions")
    ]
    assert tried == ["fake+500", "fake+429", "fake-ok"]


async def test_all_targets_rate_limited_gives_429_with_retry_after(world: World) -> None:
    model = await world.model("limited", targets=_targets(world, "a+429", "b+429"))
    r = await _chat(world, model["alias"])
    assert r.status_code == 429, r.text
    assert int(r.headers["Retry-After"]) >= 1
    assert r.json()["error"]["type"] == "rate_limit_error"


async def test_all_targets_failing_gives_502_without_leaking_the_provider_key(world: World) -> None:
    model = await world.model("broken", targets=_targets(world, "a+500", "b+garbage", "c+redirect"))
    r = await _chat(world, model["alias"])
    assert r.status_code == 502, r.text
    assert world.fake.redirect_hits == 0  # redirects are never followed
    model = await world.model("echoes-key", targets=_targets(world, "x+echo-key"))
    r = await _chat(world, model["alias"])
    assert r.status_code >= 400
    assert "gatewaytestKEY" not in r.text


async def test_anthropic_provider_through_the_gateway(world: World) -> None:
    provider = await world.provider("anthropic")
    model = await world.model(
        "claude",
        targets=[{"provider_id": provider, "upstream_model": "claude-fake", "priority": 0}],
    )
    r = await _chat(world, model["alias"], max_tokens=50)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["choices"][0]["message"]["content"] == "Echo: one two three"
    assert body["choices"][0]["finish_reason"] == "stop"
    assert world.fake.last.path == "/v1/messages"
    r = await _chat(world, model["alias"], stream=True)
    assert r.status_code == 200
    assert b"data: [DONE]" in r.content


async def _wait_for(runtime: Runtime, stmt: Any, expected: int) -> int:
    """Metering is asynchronous: poll until the batch writer caught up (or give up after 30 s)."""
    deadline = time.monotonic() + 30
    value = -1
    while time.monotonic() < deadline:
        async with runtime.read_sessions() as s:
            value = int((await s.execute(stmt)).scalar() or 0)
        if value >= expected:
            return value
        await asyncio.sleep(0.1)
    return value


async def test_concurrent_calls_are_metered_exactly(world: World, runtime: Runtime) -> None:
    n = 500
    sem = asyncio.Semaphore(64)

    async def one(i: int) -> int:
        async with sem:
            stream = i % 5 == 0
            r = await _chat(world, world.alias, stream=stream)
            return r.status_code

    statuses = await asyncio.gather(*(one(i) for i in range(n)))
    assert statuses == [200] * n, [s for s in statuses if s != 200][:5]
    ent = select(Entitlement.request_count).where(Entitlement.model_id == uuid.UUID(world.model_id))
    assert await _wait_for(runtime, ent, n) == n
    logs = (
        select(func.count())
        .select_from(InferenceLog)
        .where(InferenceLog.model_id == uuid.UUID(world.model_id))
    )
    ledger = select(func.sum(UsageLedgerEntry.requests)).where(
        UsageLedgerEntry.model_id == uuid.UUID(world.model_id)
    )
    assert await _wait_for(runtime, logs, n) == n
    assert await _wait_for(runtime, ledger, n) == n
    async with runtime.read_sessions() as s:
        tokens = (
            await s.execute(
                select(Entitlement.total_tokens).where(
                    Entitlement.model_id == uuid.UUID(world.model_id)
                )
            )
        ).scalar()
        ledger_tokens = (
            await s.execute(
                select(func.sum(UsageLedgerEntry.total_tokens)).where(
                    UsageLedgerEntry.model_id == uuid.UUID(world.model_id)
                )
            )
        ).scalar()
        log_tokens = (
            await s.execute(
                select(func.sum(InferenceLog.total_tokens)).where(
                    InferenceLog.model_id == uuid.UUID(world.model_id)
                )
            )
        ).scalar()
    assert tokens == ledger_tokens == log_tokens and tokens and tokens > 0


async def test_inference_logs_api_filters_and_summary(world: World, runtime: Runtime) -> None:
    headers = {**world.headers, "X-Correlation-ID": "corr-1"}
    r = await world.api.post(
        "/v1/chat/completions",
        json={
            "model": world.alias,
            "messages": MSG,
            "metadata": {"tags": ["nightly"], "type": "batch"},
        },
        headers=headers,
    )
    assert r.status_code == 200
    bad = await world.model("fails", targets=_targets(world, "z+500"))
    assert (await _chat(world, bad["alias"])).status_code == 502
    count = (
        select(func.count())
        .select_from(InferenceLog)
        .where(InferenceLog.space_id == uuid.UUID(world.space_id))
    )
    assert await _wait_for(runtime, count, 2) == 2

    async def logs(**params: Any) -> list[dict[str, Any]]:
        r = await world.api.get("/v1/inference-logs", params=params, headers=world.org.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) >= {"count", "data", "has_more"}
        data: list[dict[str, Any]] = body["data"]
        return data

    assert len(await logs()) == 2
    [row] = await logs(correlation_id="corr-1")
    assert row["tags"] == ["nightly"] and row["type"] == "batch" and row["status"] == "success"
    assert row["total_tokens"] > 0 and row["latency_ms"] >= row["overhead_ms"] >= 0
    assert [r["model"] for r in await logs(status="error")] == ["fails"]
    assert len(await logs(tag="nightly")) == 1 and await logs(tag="night") == []
    assert len(await logs(model=world.alias)) == 1
    assert len(await logs(page_size=1)) == 1 and len(await logs(page=2, page_size=1)) == 1
    r = await world.api.get("/v1/inference-logs/summary", headers=world.org.headers)
    summary = r.json()
    assert summary["total_calls"] == 2 and summary["success_rate"] == 0.5
    assert summary["model_usage"][world.alias]["calls"] == 1
    assert {
        "avg_latency_ms",
        "input_tokens",
        "output_tokens",
        "total_tokens",
        "period_start_date",
        "period_end_date",
    } <= set(summary)


async def test_missing_upstream_usage_is_estimated_and_marked(
    world: World, runtime: Runtime
) -> None:
    model = await world.model("no-usage", targets=_targets(world, "m+no-usage"))
    r = await _chat(world, model["alias"])
    assert r.status_code == 200, r.text
    mid = uuid.UUID(model["tenant_model_id"])
    count = select(func.count()).select_from(InferenceLog).where(InferenceLog.model_id == mid)
    assert await _wait_for(runtime, count, 1) == 1
    async with runtime.read_sessions() as s:
        row = (
            await s.execute(select(InferenceLog).where(InferenceLog.model_id == mid))
        ).scalar_one()
    assert row.usage_estimated is True
    assert row.prompt_tokens > 0 and row.completion_tokens > 0


async def test_client_disconnect_mid_stream_is_still_metered(
    world: World, runtime: Runtime
) -> None:
    model = await world.model("dripping", targets=_targets(world, "m+slow-drip"))
    async with world.api.stream(
        "POST",
        "/v1/chat/completions",
        json={"model": model["alias"], "messages": MSG, "stream": True},
        headers=world.headers,
    ) as r:
        assert r.status_code == 200
        async for _chunk in r.aiter_bytes():
            break  # the client goes away after the first bytes
    mid = uuid.UUID(model["tenant_model_id"])
    ent = select(Entitlement.request_count).where(Entitlement.model_id == mid)
    assert await _wait_for(runtime, ent, 1) == 1
    async with runtime.read_sessions() as s:
        row = (
            await s.execute(select(InferenceLog).where(InferenceLog.model_id == mid))
        ).scalar_one()
    assert row.stream is True
    assert row.prompt_tokens > 0  # usage is recorded (estimated) even though the stream was cut
