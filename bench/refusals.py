"""Refused gateway calls in the inference log, and what that costs.

Two measurements. In process: what logging one refusal costs the request path (its log row made
and appended to the batched meter's queue; the database write happens later, off the path). Live
(``spacegate serve``, embedded SQLite, one worker, the fake provider): admitted calls and calls
refused for their entitlement (403) at concurrency 32, Spacegate's CPU per call for each, and the
check that every refused call got its row. ``python -m bench.refusals`` writes
``bench/results-refusals.md``; ``run_refusals_bench()`` returns the same markdown section.
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import cast

import httpx
import uvloop
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench import gateway_load as load
from bench import gateway_procs as procs
from bench.gateway import ALIAS, _chat, _setup
from spacegate.auth.principal import Principal
from spacegate.gateway.errors import forbidden
from spacegate.gateway.metering import Meter
from spacegate.gateway.refusals import Attempt, refusal_event

RESULTS = Path(__file__).resolve().parent / "results-refusals.md"
IN_PROCESS_CALLS = 200_000
SECONDS = 6.0
REQUESTS = 20_000
WARMUP = 1_000


def request_path_cost_us(calls: int = IN_PROCESS_CALLS) -> float:
    """Microseconds per refusal spent on the request path: the row and its queue append."""
    principal = Principal.build(
        org_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        api_key_id=uuid.uuid4(),
        role="owner",
        user_grants=[],
        key_permissions=None,
        bound_space_id=None,
        memberships={},
    )
    meter = Meter(cast(async_sessionmaker[AsyncSession], None))  # never started: queue only
    exc = forbidden("The model 'x' is not available in this space.", code="model_not_entitled")
    space = uuid.uuid4()
    best = float("inf")
    for _ in range(5):
        meter._queue.clear()
        t0 = time.perf_counter()
        for _ in range(calls // 5):
            attempt = Attempt(principal, "chat.completions", t0, None, space, "x")
            meter.record(refusal_event(attempt, exc))
        best = min(best, (time.perf_counter() - t0) / (calls // 5))
    return best * 1e6


async def _summary(url: str, key: str, space_id: str) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        r = await client.get(
            "/v1/inference-logs/summary",
            params={"space_id": space_id},
            headers={"Authorization": f"Bearer {key}"},
        )
        r.raise_for_status()
        answer: dict[str, object] = r.json()
        return answer


async def _run(target: load.Target, pid: int) -> tuple[load.RunResult, float]:
    before = procs.cpu_seconds(pid)
    result = await load.run(target, concurrency=32, max_requests=REQUESTS, max_seconds=SECONDS)
    cpu_us = (procs.cpu_seconds(pid) - before) / result.completed * 1e6 if result.completed else 0
    return result, cpu_us


async def _live(workdir: Path) -> list[str]:
    data_dir = workdir / "data"
    owner_key = procs.bootstrap(data_dir)["api_key"]
    with procs.fake_provider(workdir) as fake, procs.spacegate(workdir, data_dir) as gate:
        world = await _setup(gate.url, fake.url, owner_key)
        headers = {"Authorization": f"Bearer {owner_key}", "X-Space-Id": world["space_id"]}
        admitted = _chat(gate.port, headers, ALIAS)
        refused = _chat(gate.port, headers, "not-entitled-here")
        for target in (admitted, refused):
            await load.run(target, concurrency=32, max_requests=WARMUP, max_seconds=30)
        ok, ok_cpu = await _run(admitted, gate.pid)
        no, no_cpu = await _run(refused, gate.pid)
        if set(ok.statuses) != {200} or set(no.statuses) != {403}:
            raise RuntimeError(f"unexpected answers: {ok.statuses} / {no.statuses}")
        await asyncio.sleep(1.0)  # the meter writes every 50 ms
        summary = await _summary(gate.url, owner_key, world["space_id"])
        sent_refused = WARMUP + no.completed
        sent_ok = WARMUP + ok.completed
        logged_refused = int(cast(int, summary["refused_calls"]))
        logged_ok = int(cast(int, summary["total_calls"])) - logged_refused
    return [
        "| calls (c=32) | answers | requests/s | p50 ms | p99 ms | Spacegate CPU per call |",
        "|---|---:|---:|---:|---:|---:|",
        f"| admitted (200) | {ok.completed:,} | {ok.rps:,.0f} | {ok.percentile_ms(50):.2f} | "
        f"{ok.percentile_ms(99):.2f} | {ok_cpu:.0f} µs |",
        f"| refused, not entitled (403) | {no.completed:,} | {no.rps:,.0f} | "
        f"{no.percentile_ms(50):.2f} | {no.percentile_ms(99):.2f} | {no_cpu:.0f} µs |",
        "",
        f"- Logged: {logged_refused:,} refused rows for the {sent_refused:,} refused calls sent, "
        f"and {logged_ok:,} others for the {sent_ok:,} admitted ones.",
    ]


def run_refusals_bench() -> str:
    per_refusal = request_path_cost_us()
    with (
        tempfile.TemporaryDirectory(prefix="spacegate-bench-") as tmp,
        asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner,
    ):
        live = runner.run(_live(Path(tmp)))
    lines = [
        "## Refused calls in the inference log",
        "",
        f"Machine: {os.cpu_count()} CPU ({platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}. Live runs: `spacegate serve` (embedded SQLite, one "
        "worker) in front of the fake provider, the load generator in a third process, "
        f"{WARMUP:,} warm-up calls each, then up to {REQUESTS:,} calls or {SECONDS:.0f} s.",
        "",
        f"- Request-path cost of logging a refusal (its row built and queued to the batched "
        f"meter, in process, best of 5 x {IN_PROCESS_CALLS // 5:,}): **{per_refusal:.2f} µs**. "
        "The database write is the meter's batch, off the request path; an admitted call's path "
        "gains nothing but four local variables set to None.",
        "",
        *live,
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    section = run_refusals_bench()
    RESULTS.write_text(section)
    sys.stdout.write(section)


if __name__ == "__main__":
    main()
