"""Limits benchmark: gateway throughput with limits off, on in this process, and on in Redis.

Same harness as ``bench.gateway`` (fake provider and ``spacegate serve`` in their own processes,
the closed-loop generator here), non-streaming chat completions at concurrency 32. "Limits on"
means every call passes the space's ``rpm`` and ``tpm``, a monthly token budget (reserved before
the call, settled after) and the key's own ``rpm``, all set high enough never to refuse: the
figures measure what checking costs, not refusals.

Each server (one in-process, one on Redis) serves two targets that differ only in their limits: a
space and key with none, and a second space and key with all of the above. A shared machine's
speed drifts by more than the effect measured, so the runs are interleaved (off, on, off, on...
in alternating order) and each round's on/off ratio is taken against the "off" run next to it;
the report gives the median. It also gives Spacegate's CPU time per answer (process CPU seconds
over answers), which is robust to whatever else the machine is doing.

``run_limits_bench()`` returns the markdown section; ``python -m bench.limits`` prints it and
writes ``bench/results-limits.md``. The Redis server needs ``SPACEGATE_BENCH_REDIS_URL`` (or
``SPACEGATE_TEST_REDIS_URL``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx
import uvloop
from redis.asyncio import Redis

from bench import gateway_load as load
from bench import gateway_procs as procs
from bench.gateway import ALIAS, _chat, _setup

T = TypeVar("T")
RESULTS = Path(__file__).resolve().parent / "results-limits.md"
CONCURRENCY = 32
ROUNDS = int(os.environ.get("SPACEGATE_BENCH_LIMITS_ROUNDS", "9"))
SECONDS = 3.0
MAX_REQUESTS = 20_000
WARMUP = 1_000
REWARM = 200
TARGET_RATIO = 0.90
LIMITS = {
    "rpm": 10**9,
    "tpm": 10**12,
    "token_budget": {"limit": 10**15, "period": "month"},
}
KEY_LIMITS = {"rpm": 10**9}


@dataclass
class Sample:
    rps: float  # successful answers per second
    answers: int
    failed: int
    cpu_us: float  # Spacegate's CPU time per answer
    redis_us: float | None  # the Redis server's CPU time per answer (None: no Redis)
    p50_ms: float
    p99_ms: float


@dataclass
class Series:
    label: str
    samples: list[Sample] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)  # vs the "off" run of the same round
    cpu_added_us: list[float] = field(default_factory=list)
    #: Spacegate's CPU per answer without limits over with them, per round: the throughput
    #: ratio a server whose one core is the bottleneck would show, steadier than throughput.
    cpu_ratios: list[float] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return float(statistics.median(float(getattr(s, attr)) for s in self.samples))


@dataclass
class Gate:
    name: str
    server: procs.Server
    off: load.Target
    on: load.Target
    redis_url: str | None = None


async def _post(client: httpx.AsyncClient, path: str, body: dict[str, object]) -> dict[str, str]:
    r = await client.post(path, json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
    if r.status_code != 201:
        raise RuntimeError(f"POST {path} answered {r.status_code}: {r.text}")
    answer: dict[str, str] = r.json()
    return answer


async def _limited_twin(gate: str, owner_key: str, org_id: str, model_id: str) -> tuple[str, str]:
    """A second space entitled to the same model with ``LIMITS``, and a key with ``KEY_LIMITS``."""
    async with httpx.AsyncClient(
        base_url=gate, timeout=30, headers={"Authorization": f"Bearer {owner_key}"}
    ) as client:
        space = await _post(
            client, "/v1/spaces", {"name": "bench-limited", "description": "limits on"}
        )
        await _post(
            client, f"/api-proxy/v1/spaces/{space['id']}/models", {"tenant_model_id": model_id}
        )
        r = await client.patch(
            f"/v1/orgs/{org_id}/workspaces/{space['id']}/model-entitlements/{ALIAS}",
            json={"workspace_limits": LIMITS},
        )
        r.raise_for_status()
        key = await _post(client, "/v1/api-keys", {"name": "bench-limited"})
        r = await client.put(f"/v1/api-keys/{key['id']}/limits", json=KEY_LIMITS)
        r.raise_for_status()
    return str(space["id"]), key["key"]


async def targets(
    server: procs.Server, fake: str, made: dict[str, str]
) -> tuple[load.Target, load.Target]:
    """A server's two targets: chat completions without limits (the owner's space and key), and
    with them (``_limited_twin``)."""
    owner = made["api_key"]
    world = await _setup(server.url, fake, owner)
    space, key = await _limited_twin(server.url, owner, made["org_id"], world["model_id"])
    port = server.port
    off = _chat(port, {"Authorization": f"Bearer {owner}", "X-Space-Id": world["space_id"]}, ALIAS)
    on = _chat(port, {"Authorization": f"Bearer {key}", "X-Space-Id": space}, ALIAS)
    return off, on


@contextlib.asynccontextmanager
async def _gate(workdir: Path, fake: str, redis_url: str | None) -> AsyncIterator[Gate]:
    name = "Redis" if redis_url else "in process"
    data_dir = workdir / f"data-{'redis' if redis_url else 'memory'}"
    made = procs.bootstrap(data_dir)
    env = procs.spacegate_env(data_dir)
    if redis_url:
        env.update(
            SPACEGATE_REDIS_URL=redis_url,
            SPACEGATE_LIMITS_REDIS_PREFIX=f"bench{uuid.uuid4().hex[:8]}",
        )
    port = procs.free_port()
    argv = [procs.tool("spacegate"), "serve", "--port", str(port), "--workers", "1"]
    server = procs._spawn(f"spacegate-{data_dir.name}", argv, env, workdir, port)
    try:
        server.wait_ready("/healthz")
        off, on = await targets(server, fake, made)
        yield Gate(name, server, off, on, redis_url)
    finally:
        server.stop()


async def _measure(gate: Gate, target: load.Target) -> Sample:
    await load.run(target, concurrency=CONCURRENCY, max_requests=REWARM, max_seconds=10)
    redis0 = await _redis_cpu(gate.redis_url)
    cpu0 = procs.cpu_seconds(gate.server.pid)
    r = await load.run(
        target, concurrency=CONCURRENCY, max_requests=MAX_REQUESTS, max_seconds=SECONDS
    )
    cpu = procs.cpu_seconds(gate.server.pid) - cpu0
    redis1 = await _redis_cpu(gate.redis_url)
    ok = r.completed - r.errors
    if ok < r.completed / 2:
        raise RuntimeError(
            f"{gate.name}: {r.errors} failed requests ({r.statuses}): {r.sample_body[:300]!r}"
        )
    return Sample(
        ok / r.wall_s,
        r.completed,
        r.errors,
        cpu / r.completed * 1e6,
        None if redis0 is None or redis1 is None else (redis1 - redis0) / r.completed * 1e6,
        r.percentile_ms(50),
        r.percentile_ms(99),
    )


def in_turn(n: int, off: T, on: T) -> tuple[T, T]:
    """Round ``n``'s order: off then on, and on then off in every other round, so neither run
    always follows the other (a drifting machine would favour one)."""
    return (off, on) if n % 2 == 0 else (on, off)


async def warm(off: load.Target, on: load.Target, requests: int, seconds: float) -> None:
    """Both targets of a server, before anything is measured: caches, connections, budgets."""
    for target in (off, on):
        await load.run(target, concurrency=CONCURRENCY, max_requests=requests, max_seconds=seconds)


async def _bench(workdir: Path, redis_url: str | None) -> list[Series]:
    series: list[Series] = []
    async with contextlib.AsyncExitStack() as stack:
        fake = stack.enter_context(procs.fake_provider(workdir))
        gates = [await stack.enter_async_context(_gate(workdir, fake.url, None))]
        if redis_url:
            gates.append(await stack.enter_async_context(_gate(workdir, fake.url, redis_url)))
        pairs = []
        for gate in gates:
            off, on = Series(f"limits off ({gate.name} server)"), Series(f"limits on, {gate.name}")
            series += [off, on]
            pairs.append((gate, off, on))
            await warm(gate.off, gate.on, WARMUP, 30)
        for n in range(ROUNDS):
            for gate, off, on in pairs:
                for target, s in in_turn(n, (gate.off, off), (gate.on, on)):
                    s.samples.append(await _measure(gate, target))
                on.ratios.append(on.samples[-1].rps / off.samples[-1].rps)
                on.cpu_added_us.append(on.samples[-1].cpu_us - off.samples[-1].cpu_us)
                on.cpu_ratios.append(off.samples[-1].cpu_us / on.samples[-1].cpu_us)
    return series


async def _redis_cpu(url: str | None) -> float | None:
    """CPU seconds the Redis server has used (``INFO cpu``): the whole server's, so a Redis
    shared with other work inflates it."""
    if url is None:
        return None
    client = Redis.from_url(url)
    try:
        info = await client.info("cpu")
    finally:
        await client.aclose()
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def _report(series: list[Series], redis_url: str | None) -> str:
    lines = [
        "## Limits: gateway throughput with limits on",
        "",
        f"Non-streaming chat completions through Spacegate (one worker, embedded SQLite) to the "
        f"fake provider, {CONCURRENCY} clients. Limits on: space `rpm` + `tpm` + monthly token "
        "budget (reserve, then settle) and the key's `rpm`, none of them refusing. Each server "
        "serves a target without limits and one with them; the two are measured alternately, "
        f"{ROUNDS} rounds of {SECONDS:.0f} s runs (after warm-up), and each round's ratio is "
        "taken against the run without limits next to it. Figures are medians over the rounds; "
        "CPU is Spacegate's own process time per answer.",
        "",
        "| run | requests/s | p50 ms | p99 ms | CPU µs per answer | Redis CPU µs per answer | "
        "vs off (median) | vs off (each round) | CPU added µs | vs off by CPU | failed |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    ratios = [statistics.median(s.ratios) for s in series if s.ratios]
    worst = min(ratios) if ratios else 1.0
    failed = sum(x.failed for s in series for x in s.samples)
    for s in series:
        ratio = statistics.median(s.ratios) if s.ratios else 1.0
        added = f"{statistics.median(s.cpu_added_us):+.0f}" if s.cpu_added_us else ""
        by_cpu = f"{statistics.median(s.cpu_ratios):.2f}" if s.cpu_ratios else ""
        rounds = " ".join(f"{r:.2f}" for r in s.ratios)
        on_redis = [x.redis_us for x in s.samples if x.redis_us is not None]
        redis = f"{statistics.median(on_redis):.0f}" if on_redis else ""
        lines.append(
            f"| {s.label} | {s.median('rps'):,.0f} | {s.median('p50_ms'):.2f} | "
            f"{s.median('p99_ms'):.2f} | {s.median('cpu_us'):.0f} | {redis} | {ratio:.2f} | "
            f"{rounds} | {added} | {by_cpu} | {sum(x.failed for x in s.samples):,} |"
        )
    lines += [
        "",
        f"- Cost of limiting: worst median at **{worst:.2f}x** the throughput without limits "
        f"(target ≥ {TARGET_RATIO:.2f}: {'met' if worst >= TARGET_RATIO else 'not met'}).",
        f"- Failed answers (any status but 200, e.g. a budget failing closed): {failed:,}.",
    ]
    if not redis_url:
        lines.append("- Redis run skipped: set `SPACEGATE_BENCH_REDIS_URL` to include it.")
    lines += ["", *READING]
    return "\n".join(lines) + "\n"


READING = [
    "Reading the table: *CPU added* is what limiting costs Spacegate per answer. The plan of "
    "keys, rates and header text is cached per entitlement and key, and the usual call (nothing "
    "refused, budgets already seen) takes its rates and budget in place, or sends one "
    "pre-encoded check to Redis and reads the answer straight into its `RateLimit` field; "
    "refusals, first sight of a budget window and concurrency caps take the general path. "
    "*vs off by CPU* is Spacegate's CPU per answer without limits over with them, round by "
    "round: the throughput ratio of a server whose one core is the bottleneck, and much "
    "steadier than throughput on a shared machine. With Redis, the Lua script's own work runs "
    "in the Redis server, which here shares the same two cores with Spacegate, the fake "
    "provider and the load generator: its CPU per answer is taken from Spacegate's throughput "
    "just as Spacegate's own is. Checks that queue up while a round trip is in flight go out "
    "together as one script run per org (each still decided alone, in order), so Redis's CPU "
    "per answer falls as concurrency rises; at one call at a time it is one script run per "
    "call. On a deployment with Redis on its own host, the Redis run costs Spacegate about its "
    "*CPU added* only. Throughput ratios on a shared machine move by ±10% or more from run to "
    "run (see each round).",
]


def run_limits_bench() -> str:
    redis_url = os.environ.get("SPACEGATE_BENCH_REDIS_URL") or os.environ.get(
        "SPACEGATE_TEST_REDIS_URL"
    )
    with (
        tempfile.TemporaryDirectory(prefix="spacegate-bench-limits-") as tmp,
        asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner,
    ):
        series = runner.run(_bench(Path(tmp), redis_url))
    return _report(series, redis_url)


if __name__ == "__main__":
    try:
        section = run_limits_bench()
    except RuntimeError as exc:
        sys.exit(f"limits benchmark failed: {exc}")
    sys.stdout.write(section)
    RESULTS.write_text(section)
