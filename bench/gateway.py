"""Gateway benchmark: non-streaming chat completions, direct to a fake provider and through
Spacegate, at concurrency 1 and 32, with a py-spy profile of Spacegate's hot path.

Everything runs on loopback in one go: the fake provider (its own process, answering at once),
Spacegate served by ``spacegate serve`` (embedded SQLite, one worker, auth, entitlement checks and
metering all on), and the load generator in this process. ``python -m bench.gateway`` writes
``bench/results-gateway.md``; ``run_gateway_bench()`` returns the same markdown section.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
import uvloop

from bench import gateway_load as load
from bench import gateway_procs as procs
from bench import gateway_profile as profile
from spacegate.gateway.naming import model_field, renamed

RESULTS = Path(__file__).resolve().parent / "results-gateway.md"
PROVIDER_KEY = "sk-bench-0123456789abcdef0123456789abcdef"
ALIAS = "bench-chat"
PROMPT = {"role": "user", "content": "Say hello to the benchmark, briefly."}
TARGET_RPS = 1500.0
TARGET_ADDED_MS = 1.0


@dataclass(frozen=True)
class Limits:
    """Each measured run stops at whichever bound comes first."""

    requests_c1: int = 3_000
    requests_c32: int = 30_000
    seconds: float = 10.0
    warmup: int = 1_000
    profile_seconds: float = 8.0
    #: Where to keep py-spy's raw collapsed stacks (e.g. for a flame graph); None: discard.
    keep_profile: Path | None = None


@dataclass
class Measured:
    label: str
    result: load.RunResult
    cpu: dict[str, float]  # process -> share of one core during the run


async def _setup(spacegate: str, fake: str, owner_key: str) -> dict[str, str]:
    """A space, a provider on the fake, a model and its entitlement, through the HTTP API."""
    auth = {"Authorization": f"Bearer {owner_key}"}

    async def post(client: httpx.AsyncClient, path: str, body: dict[str, object]) -> dict[str, str]:
        headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
        r = await client.post(path, json=body, headers=headers)
        if r.status_code != 201:
            raise RuntimeError(f"POST {path} answered {r.status_code}: {r.text}")
        answer: dict[str, str] = r.json()
        return answer

    async with httpx.AsyncClient(base_url=spacegate, timeout=30) as client:
        space = await post(client, "/v1/spaces", {"name": "bench", "description": "benchmark"})
        provider = await post(
            client,
            "/v1/providers",
            {"name": "fake", "type": "openai", "base_url": f"{fake}/v1", "api_key": PROVIDER_KEY},
        )
        model = await post(
            client,
            "/v1/tenant-models",
            {
                "alias": ALIAS,
                "provider_id": provider["id"],
                "upstream_model": "fake-model",
                "context_window": 8192,
                "input_price_per_mtok": "0.15",
                "output_price_per_mtok": "0.60",
            },
        )
        await post(
            client,
            f"/api-proxy/v1/spaces/{space['id']}/models",
            {"tenant_model_id": model["tenant_model_id"]},
        )
    return {"space_id": str(space["id"]), "model_id": str(model["tenant_model_id"])}


def _chat(port: int, headers: dict[str, str], model: str) -> load.Target:
    body = orjson.dumps({"model": model, "messages": [PROMPT], "max_tokens": 16})
    return load.Target(
        "127.0.0.1",
        port,
        "/v1/chat/completions",
        {"Content-Type": "application/json", **headers},
        body,
    )


@dataclass(frozen=True)
class Naming:
    """What answering with the alias costs: the rewrite of one answer, timed in process."""

    answer_bytes: int
    rename_us: float
    answered_as: str


async def _naming(direct: load.Target, through: load.Target) -> Naming:
    async with httpx.AsyncClient() as http:
        raw = await http.post(
            f"http://{direct.host}:{direct.port}{direct.path}",
            content=direct.body,
            headers=direct.headers,
        )
        answer = await http.post(
            f"http://{through.host}:{through.port}{through.path}",
            content=through.body,
            headers=through.headers,
        )
    field = model_field(ALIAS)
    rounds = 20_000
    started = time.perf_counter()
    for _ in range(rounds):
        renamed(raw.content, field)
    spent = (time.perf_counter() - started) / rounds
    return Naming(len(raw.content), spent * 1e6, str(answer.json().get("model")))


async def _measure(
    label: str, target: load.Target, concurrency: int, limits: Limits, pids: dict[str, int]
) -> Measured:
    before = {name: procs.cpu_seconds(pid) for name, pid in pids.items()}
    own = time.process_time()
    busy0, _ = procs.machine_busy_seconds()
    max_requests = limits.requests_c1 if concurrency == 1 else limits.requests_c32
    result = await load.run(
        target, concurrency=concurrency, max_requests=max_requests, max_seconds=limits.seconds
    )
    busy1, _ = procs.machine_busy_seconds()
    cpu = {
        name: (procs.cpu_seconds(pid) - before[name]) / result.wall_s for name, pid in pids.items()
    }
    cpu["load generator"] = (time.process_time() - own) / result.wall_s
    # Whatever else ran on the machine meanwhile: on a shared machine it takes cores from us.
    cpu["others"] = max(0.0, (busy1 - busy0) / result.wall_s - sum(cpu.values()))
    if result.errors:
        raise RuntimeError(
            f"{label} at c={concurrency}: {result.errors} failed requests ({result.statuses}); "
            f"sample answer: {result.sample_body[:500]!r}"
        )
    return Measured(label, result, cpu)


async def _logged_calls(spacegate: str, owner_key: str, space_id: str) -> int:
    async with httpx.AsyncClient(base_url=spacegate, timeout=30) as client:
        r = await client.get(
            "/v1/inference-logs/summary",
            headers={"Authorization": f"Bearer {owner_key}", "X-Space-Id": space_id},
        )
        r.raise_for_status()
        return int(r.json()["total_calls"])


async def _bench(workdir: Path, limits: Limits) -> str:
    data_dir = workdir / "data"
    made = procs.bootstrap(data_dir)
    owner_key = made["api_key"]
    with procs.fake_provider(workdir) as fake, procs.spacegate(workdir, data_dir) as gate:
        world = await _setup(gate.url, fake.url, owner_key)
        direct = _chat(fake.port, {"Authorization": f"Bearer {PROVIDER_KEY}"}, "fake-model")
        through = _chat(
            gate.port,
            {"Authorization": f"Bearer {owner_key}", "X-Space-Id": world["space_id"]},
            ALIAS,
        )
        pids = {"fake provider": fake.pid, "spacegate": gate.pid}
        for target in (direct, through):  # connections, caches and JIT-free warm paths
            await load.run(target, concurrency=32, max_requests=limits.warmup, max_seconds=30)
        naming = await _naming(direct, through)
        runs: list[Measured] = []
        for concurrency in (1, 32):
            runs.append(await _measure("direct", direct, concurrency, limits, pids))
            runs.append(await _measure("through Spacegate", through, concurrency, limits, pids))
        sent = limits.warmup + sum(m.result.completed for m in runs if m.label != "direct")
        # The profiled run comes last and is not reported as a measurement: sampling costs time.
        spy = profile.start(gate.pid, workdir / "profile.txt", limits.profile_seconds)
        profiled = await load.run(
            through, concurrency=32, max_requests=10**9, max_seconds=limits.profile_seconds
        )
        stacks = profile.finish(spy)
        if limits.keep_profile is not None:
            shutil.copyfile(workdir / "profile.txt", limits.keep_profile)
        sent += profiled.completed
        await asyncio.sleep(0.5)  # the meter writes every 50 ms
        logged = await _logged_calls(gate.url, owner_key, world["space_id"])
    return _report(runs, profile.breakdown(stacks), profiled, sent, logged, limits, naming)


def _fmt_cpu(cpu: dict[str, float]) -> str:
    return " / ".join(
        f"{cpu.get(k, 0.0) * 100:.0f}%"
        for k in ("load generator", "fake provider", "spacegate", "others")
    )


def _ceiling_note(d32: load.RunResult, cpu: dict[str, float]) -> str:
    gen, fake = cpu.get("load generator", 0.0), cpu.get("fake provider", 0.0)
    gen_us = gen / d32.rps * 1e6 if d32.rps else 0.0
    limit = "the fake provider" if fake > gen else "the load generator"
    return (
        f"- Load generator: direct at c=32 it drove {d32.rps:,.0f} requests/s with "
        f"{gen * 100:.0f}% of a core ({gen_us:.0f} µs per request, a ceiling near "
        f"{1e6 / gen_us if gen_us else 0:,.0f} requests/s) while the fake provider used "
        f"{fake * 100:.0f}%: that run is limited by {limit}. All three processes share "
        f"{os.cpu_count()} cores, so requests/s through Spacegate is a floor for a worker with a "
        "core of its own."
    )


def _sharing_note(runs: list[Measured]) -> list[str]:
    """Requests/s is only as good as the machine was quiet; say so when it was not."""
    worst = max(m.cpu.get("others", 0.0) for m in runs)
    if worst < 0.25:
        return []
    return [
        f"- Other processes on this machine used up to {worst * 100:.0f}% of a core during the "
        "runs (last column): requests/s and latencies above are lower than on a quiet machine; "
        "CPU per call is the steadier figure."
    ]


def _report(
    runs: list[Measured],
    where: list[profile.Share],
    profiled: load.RunResult,
    sent: int,
    logged: int,
    limits: Limits,
    naming: Naming,
) -> str:
    by = {(m.label, m.result.concurrency): m.result for m in runs}
    d1, t1 = by["direct", 1], by["through Spacegate", 1]
    d32, t32 = by["direct", 32], by["through Spacegate", 32]
    added = t1.percentile_ms(50) - d1.percentile_ms(50)
    overhead_p50 = load.percentile(t1.overheads_ms, 50)
    gen_cpu = next(m.cpu for m in runs if m.label == "direct" and m.result.concurrency == 32)
    sg_cpu = next(m.cpu for m in runs if m.label != "direct" and m.result.concurrency == 32)
    # CPU per call does not depend on what else shares the machine, unlike requests/s.
    cpu_us = sg_cpu["spacegate"] / t32.rps * 1e6 if t32.rps else 0.0
    lines = [
        "## Gateway: chat completions through Spacegate",
        "",
        f"Machine: {os.cpu_count()} CPU ({platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}, loopback. Fake provider (Starlette on uvicorn, "
        "answers at once) and Spacegate (`spacegate serve`, embedded SQLite, one worker; API "
        "key auth, space and entitlement checks, metering and Prometheus metrics all on) each in "
        "their own process; the load generator (closed loop, one keep-alive connection per "
        f"client) in a third. Runs stop at {limits.requests_c1:,} (c=1) / "
        f"{limits.requests_c32:,} (c=32) answers or {limits.seconds:.0f} s, after "
        f"{limits.warmup:,} warm-up requests per target.",
        "",
        "| target | concurrency | answers | requests/s | p50 ms | p99 ms "
        "| CPU gen / fake / spacegate / other processes |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for m in runs:
        r = m.result
        lines.append(
            f"| {m.label} | {r.concurrency} | {r.completed:,} | {r.rps:,.0f} | "
            f"{r.percentile_ms(50):.2f} | {r.percentile_ms(99):.2f} | {_fmt_cpu(m.cpu)} |"
        )
    ok_rps = t32.rps >= TARGET_RPS
    ok_added = added < TARGET_ADDED_MS
    lines += [
        "",
        f"- Through / direct, requests/s: **{t32.rps / d32.rps:.2f}** at c=32, "
        f"**{t1.rps / d1.rps:.2f}** at c=1.",
        f"- Added latency at c=1 (p50 through - p50 direct): **{added:.2f} ms** "
        f"(target < {TARGET_ADDED_MS:.0f} ms: {'met' if ok_added else 'not met'}); Spacegate's own "
        f"`X-Spacegate-Overhead-Ms` p50: {overhead_p50:.3f} ms.",
        f"- Through Spacegate at c=32: **{t32.rps:,.0f} requests/s** on one worker "
        f"(target ≥ {TARGET_RPS:,.0f}: {'met' if ok_rps else 'not met'}).",
        f"- Spacegate's CPU per call at c=32: **{cpu_us:.0f} µs**, i.e. about "
        f"{1e6 / cpu_us if cpu_us else 0:,.0f} requests/s for one worker with a core to itself "
        "(a projection from CPU time, not a measurement).",
        f"- Metering: {logged:,} inference-log rows for the {sent:,} calls sent through "
        "Spacegate during the run.",
        f'- Answers name the alias (`"model": "{naming.answered_as}"`), not the upstream '
        f"model: rewriting a {naming.answer_bytes:,}-byte answer costs {naming.rename_us:.2f} µs "
        f"({naming.rename_us / cpu_us * 100 if cpu_us else 0:.1f}% of the CPU per call above).",
        _ceiling_note(d32, gen_cpu),
        *_sharing_note(runs),
        "",
        *profile.render(where, profiled),
    ]
    return "\n".join(lines) + "\n"


def run_gateway_bench(limits: Limits | None = None) -> str:
    """Run the whole gateway benchmark and return its markdown section."""
    with (
        tempfile.TemporaryDirectory(prefix="spacegate-bench-") as tmp,
        asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner,
    ):
        return runner.run(_bench(Path(tmp), limits or Limits()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=Limits.seconds)
    parser.add_argument("--requests", type=int, default=Limits.requests_c32, help="at c=32")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--keep-profile", type=Path, help="keep py-spy's collapsed stacks here")
    args = parser.parse_args()
    limits = Limits(
        requests_c32=args.requests, seconds=args.seconds, keep_profile=args.keep_profile
    )
    try:
        section = run_gateway_bench(limits)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        sys.exit(f"gateway benchmark failed: {exc}")
    args.output.write_text(section)
    sys.stdout.write(section)


if __name__ == "__main__":
    main()
