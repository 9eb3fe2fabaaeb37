"""Limits benchmark: gateway throughput with limits off, on in this process, and on in Redis.

Same harness as ``bench.gateway`` (fake provider and ``spacegate serve`` in their own processes,
the closed-loop generator here), non-streaming chat completions at concurrency 32. "Limits on"
means every call passes the space's ``rpm`` and ``tpm``, a daily token budget (reserved before
the call, settled after) and the key's own ``rpm``, all set high enough never to refuse: the
figures measure what checking costs, not refusals. ``run_limits_bench()`` returns the markdown
section; ``python -m bench.limits`` prints it. The Redis run needs ``SPACEGATE_BENCH_REDIS_URL``
(or ``SPACEGATE_TEST_REDIS_URL``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import uvloop

from bench import gateway_load as load
from bench import gateway_procs as procs
from bench.gateway import _chat, _setup

CONCURRENCY = 32
MAX_REQUESTS = 20_000
SECONDS = 8.0
WARMUP = 1_000
TARGET_RATIO = 0.90
REDIS_TIMEOUT_MS = 250
LIMITS = {
    "rpm": 10**9,
    "tpm": 10**12,
    "token_budget": {"limit": 10**15, "period": "month"},
}


@contextlib.contextmanager
def _spacegate(workdir: Path, data_dir: Path, redis_url: str | None) -> Iterator[procs.Server]:
    port = procs.free_port()
    env = procs.spacegate_env(data_dir)
    if redis_url:
        env.update(
            SPACEGATE_REDIS_URL=redis_url,
            SPACEGATE_LIMITS_REDIS_PREFIX=f"bench{uuid.uuid4().hex[:8]}",
            # Redis, Spacegate, the fake provider and the load generator share the machine's
            # cores at full load: Redis is sometimes not scheduled within the default 100 ms,
            # which the limiter would rightly treat as an outage (budgets fail closed). The
            # bench measures what checking costs, so it gives Redis the client's socket timeout.
            SPACEGATE_LIMITS_REDIS_TIMEOUT_MS=str(REDIS_TIMEOUT_MS),
        )
    argv = [procs.tool("spacegate"), "serve", "--port", str(port), "--workers", "1"]
    server = procs._spawn(
        f"spacegate-{'redis' if redis_url else 'memory'}", argv, env, workdir, port
    )
    try:
        server.wait_ready("/healthz")
        yield server
    finally:
        server.stop()


async def _limit(gate: str, owner_key: str, org_id: str, space_id: str, alias: str) -> None:
    auth = {"Authorization": f"Bearer {owner_key}"}
    async with httpx.AsyncClient(base_url=gate, timeout=30) as client:
        r = await client.patch(
            f"/v1/orgs/{org_id}/workspaces/{space_id}/model-entitlements/{alias}",
            json={"workspace_limits": LIMITS},
            headers=auth,
        )
        r.raise_for_status()
        me = await client.get("/v1/api-keys", headers=auth)
        me.raise_for_status()
        for key in me.json()["data"]:
            r = await client.put(
                f"/v1/api-keys/{key['id']}/limits", json={"rpm": 10**9}, headers=auth
            )
            r.raise_for_status()


async def _run(target: load.Target) -> load.RunResult:
    await load.run(target, concurrency=CONCURRENCY, max_requests=WARMUP, max_seconds=30)
    result = await load.run(
        target, concurrency=CONCURRENCY, max_requests=MAX_REQUESTS, max_seconds=SECONDS
    )
    if result.errors:
        raise RuntimeError(
            f"{result.errors} failed requests ({result.statuses}): {result.sample_body[:300]!r}"
        )
    return result


async def _bench(workdir: Path, redis_url: str | None) -> list[tuple[str, load.RunResult]]:
    data_dir = workdir / "data"
    made = procs.bootstrap(data_dir)
    owner_key, org_id = made["api_key"], made["org_id"]
    runs: list[tuple[str, load.RunResult]] = []
    with procs.fake_provider(workdir) as fake:
        with _spacegate(workdir, data_dir, None) as gate:
            world = await _setup(gate.url, fake.url, owner_key)
            headers = {"Authorization": f"Bearer {owner_key}", "X-Space-Id": world["space_id"]}
            target = _chat(gate.port, headers, "bench-chat")
            runs.append(("limits off", await _run(target)))
            await _limit(gate.url, owner_key, org_id, world["space_id"], "bench-chat")
            await asyncio.sleep(0.2)
            runs.append(("limits on, in process", await _run(target)))
        if redis_url:
            with _spacegate(workdir, data_dir, redis_url) as gate:
                target = _chat(gate.port, headers, "bench-chat")
                runs.append(("limits on, Redis", await _run(target)))
    return runs


def _report(runs: list[tuple[str, load.RunResult]], redis_url: str | None) -> str:
    off = runs[0][1]
    lines = [
        "## Limits: gateway throughput with limits on",
        "",
        f"Non-streaming chat completions through Spacegate (one worker, embedded SQLite) to the "
        f"fake provider, {CONCURRENCY} clients, up to {MAX_REQUESTS:,} answers or {SECONDS:.0f} s "
        f"after {WARMUP:,} warm-up requests. Limits on: space `rpm` + `tpm` + daily token budget "
        "(reserve, then settle) and the key's `rpm`, none of them refusing.",
        "",
        "| run | answers | requests/s | p50 ms | p99 ms | vs off |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, r in runs:
        lines.append(
            f"| {label} | {r.completed:,} | {r.rps:,.0f} | {r.percentile_ms(50):.2f} | "
            f"{r.percentile_ms(99):.2f} | {r.rps / off.rps:.2f} |"
        )
    worst = min(r.rps / off.rps for _, r in runs[1:]) if len(runs) > 1 else 1.0
    lines += [
        "",
        f"- Cost of limiting: worst run at **{worst:.2f}x** the throughput without limits "
        f"(target ≥ {TARGET_RATIO:.2f}: {'met' if worst >= TARGET_RATIO else 'not met'}).",
    ]
    if not redis_url:
        lines.append("- Redis run skipped: set `SPACEGATE_BENCH_REDIS_URL` to include it.")
    return "\n".join(lines) + "\n"


def run_limits_bench() -> str:
    redis_url = os.environ.get("SPACEGATE_BENCH_REDIS_URL") or os.environ.get(
        "SPACEGATE_TEST_REDIS_URL"
    )
    with (
        tempfile.TemporaryDirectory(prefix="spacegate-bench-limits-") as tmp,
        asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner,
    ):
        runs = runner.run(_bench(Path(tmp), redis_url))
    return _report(runs, redis_url)


if __name__ == "__main__":
    try:
        sys.stdout.write(run_limits_bench())
    except RuntimeError as exc:
        sys.exit(f"limits benchmark failed: {exc}")
