"""Limits benchmark, counted in instructions: what limiting costs per answer, independent of
how busy the machine is.

``bench.limits`` measures throughput, which on a shared machine moves by ±10% from one run to
the next, more than the effect measured. Here Spacegate (and, for the Redis run, a private Redis
server) run under Valgrind's callgrind, which counts the instructions each executes: the same
work gives the same count however the host is loaded. The targets and load are those of
``bench.limits`` (32 clients, non-streaming chat completions; limits on means the space's
``rpm`` + ``tpm``, a monthly token budget and the key's ``rpm``, none refusing). Counting is on
only while a measured run is in flight, so start-up and warm-up are not counted.

For a server whose one core is its bottleneck, throughput is inversely proportional to the work
per answer, so *instructions without limits over instructions with them* is the throughput
ratio limiting leaves on a quiet machine. The Redis row gives it for Spacegate alone (Redis on
its own host, as in a deployment) and for Spacegate and Redis together (Redis on Spacegate's
core: the worst case).

Needs ``valgrind`` (with ``callgrind_control``) and, for the Redis run, ``redis-server`` on
PATH; ``python -m bench.limits_instructions`` writes ``bench/results-limits-instructions.md``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvloop

from bench import callgrind
from bench import gateway_load as load
from bench import gateway_procs as procs
from bench.limits import CONCURRENCY, TARGET_RATIO, in_turn, targets, warm

TITLE = "## Limits: instructions per answer (callgrind)"
RESULTS = Path(__file__).resolve().parent / "results-limits-instructions.md"
ROUNDS = int(os.environ.get("SPACEGATE_BENCH_INSTR_ROUNDS", "3"))
ANSWERS = int(os.environ.get("SPACEGATE_BENCH_INSTR_ANSWERS", "1000"))
WARMUP = 300


@dataclass
class Counted:
    """A process under callgrind: counting is switched on and off around measured runs."""

    name: str
    pid: int
    out: Path  # callgrind's output file pattern (``%p`` is the pid)
    #: Wakes the process: callgrind reads its commands only while the process runs.
    poke: Callable[[], Awaitable[object]]
    dumps: int = 0

    async def switch(self, on: bool) -> None:
        await self._control("-i", "on" if on else "off")

    async def zero(self) -> None:
        await self._control("-z")

    async def take(self) -> int:
        """The instructions counted since the last ``zero``."""
        await self._control("-d")
        self.dumps += 1
        dump = Path(f"{str(self.out).replace('%p', str(self.pid))}.{self.dumps}")
        return await asyncio.to_thread(callgrind.totals, dump)

    async def _control(self, *args: str) -> None:
        cmd = ["callgrind_control", *args, str(self.pid)]
        task = asyncio.create_task(asyncio.to_thread(subprocess.run, cmd, capture_output=True))
        while not task.done():
            with contextlib.suppress(OSError, httpx.HTTPError):
                await self.poke()
            await asyncio.sleep(0.2)
        done = task.result()
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}: {done.stdout!r} {done.stderr!r}")


@dataclass
class Row:
    label: str
    spacegate: list[float] = field(default_factory=list)  # instructions per answer
    redis: list[float] = field(default_factory=list)


def _valgrind(workdir: Path, name: str) -> list[str]:
    return [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={workdir / name}.%p",
        "--quiet",
    ]


@contextlib.contextmanager
def _redis(workdir: Path) -> Iterator[tuple[str, Counted]]:
    port = procs.free_port()
    argv = [
        *_valgrind(workdir, "redis"),
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(workdir),
    ]
    log = (workdir / "redis.log").open("wb")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 120
        while (
            subprocess.run(  # noqa: S603
                [shutil.which("redis-cli") or "redis-cli", "-p", str(port), "ping"],
                capture_output=True,
            ).stdout.strip()
            != b"PONG"
        ):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("redis-server under valgrind did not start")
            time.sleep(0.5)

        async def ping() -> None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"PING\r\n")
            await reader.readline()
            writer.close()

        yield f"redis://127.0.0.1:{port}/0", Counted("redis", proc.pid, workdir / "redis.%p", ping)
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


@dataclass
class Gate:
    name: str
    server: Counted
    off: load.Target
    on: load.Target
    redis: Counted | None
    log: Path


@contextlib.asynccontextmanager
async def _gate(workdir: Path, fake: str, redis: tuple[str, Counted] | None) -> AsyncIterator[Gate]:
    name = "Redis" if redis else "in process"
    tag = "redis" if redis else "memory"
    data_dir = workdir / f"data-{tag}"
    made = procs.bootstrap(data_dir)
    env = procs.spacegate_env(data_dir)
    if redis:
        env.update(
            SPACEGATE_REDIS_URL=redis[0],
            SPACEGATE_LIMITS_REDIS_PREFIX=f"bench{uuid.uuid4().hex[:8]}",
            # Under valgrind everything is ~50x slower: not an outage.
            SPACEGATE_LIMITS_REDIS_TIMEOUT_MS="30000",
        )
    port = procs.free_port()
    argv = [
        *_valgrind(workdir, f"spacegate-{tag}"),
        procs.tool("spacegate"),
        "serve",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    server = procs._spawn(f"spacegate-{tag}", argv, env, workdir, port)
    try:
        server.wait_ready("/healthz", timeout=600)
        off, on = await targets(server, fake, made)

        async def health() -> None:
            async with httpx.AsyncClient(timeout=60) as client:
                await client.get(server.url + "/healthz")

        counted = Counted(name, server.pid, workdir / f"spacegate-{tag}.%p", health)
        yield Gate(name, counted, off, on, redis[1] if redis else None, server.log)
    finally:
        server.stop()


async def _measure(gate: Gate, target: load.Target) -> tuple[float, float | None]:
    counted = [gate.server] + ([gate.redis] if gate.redis else [])
    for c in counted:
        await c.switch(True)
        await c.zero()  # the switch's own pokes are not counted
    r = await load.run(target, concurrency=CONCURRENCY, max_requests=ANSWERS, max_seconds=3600)
    totals = [await c.take() for c in counted]
    for c in counted:
        await c.switch(False)
    if r.errors:
        tail = gate.log.read_text()[-2000:]
        raise RuntimeError(f"{gate.name}: {r.errors} failed requests ({r.statuses}):\n{tail}")
    per = [t / r.completed for t in totals]
    return per[0], per[1] if len(per) > 1 else None


async def _bench(workdir: Path) -> list[Row]:
    rows: list[Row] = []
    async with contextlib.AsyncExitStack() as stack:
        fake = stack.enter_context(procs.fake_provider(workdir))
        redis = stack.enter_context(_redis(workdir)) if shutil.which("redis-server") else None
        gates = [await stack.enter_async_context(_gate(workdir, fake.url, None))]
        if redis:
            gates.append(await stack.enter_async_context(_gate(workdir, fake.url, redis)))
        pairs = []
        for gate in gates:
            off, on = Row(f"limits off ({gate.name} server)"), Row(f"limits on, {gate.name}")
            rows += [off, on]
            pairs.append((gate, off, on))
            await warm(gate.off, gate.on, WARMUP, 3600)
        for n in range(ROUNDS):
            for gate, off, on in pairs:
                for target, row in in_turn(n, (gate.off, off), (gate.on, on)):
                    mine, redis_per = await _measure(gate, target)
                    row.spacegate.append(mine)
                    if redis_per is not None:
                        row.redis.append(redis_per)
    return rows


def _report(rows: list[Row]) -> str:
    lines = [
        TITLE,
        "",
        f"The targets of the limits benchmark, {CONCURRENCY} clients, {ANSWERS} answers per run, "
        f"{ROUNDS} rounds alternating off and on, Spacegate (and Redis) under callgrind; medians "
        "over the rounds. *vs off* is instructions without limits over instructions with them: "
        "the throughput ratio of a server whose core is its bottleneck, on a quiet machine.",
        "",
        "| run | Spacegate instructions per answer | Redis instructions per answer | "
        "added by limits | vs off (Spacegate) | vs off (Spacegate + Redis) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    worst = 1.0
    for off, on in zip(rows[::2], rows[1::2], strict=True):
        for row in (off, on):
            mine = statistics.median(row.spacegate)
            redis = statistics.median(row.redis) if row.redis else None
            cells = [row.label, f"{mine:,.0f}", f"{redis:,.0f}" if redis is not None else ""]
            if row is off:
                cells += ["", "1.00", "1.00" if redis is not None else ""]
            else:
                base = statistics.median(off.spacegate)
                both = base + (statistics.median(off.redis) if off.redis else 0.0)
                alone = base / mine
                cells += [f"{mine - base:+,.0f}", f"{alone:.3f}"]
                worst = min(worst, alone)
                if redis is not None:
                    together = both / (mine + redis)
                    cells.append(f"{together:.3f}")
                else:
                    cells.append("")
            lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        f"- Cost of limiting to Spacegate: worst at **{worst:.3f}x** the instructions per answer "
        f"without limits (target ≥ {TARGET_RATIO:.2f}: "
        f"{'met' if worst >= TARGET_RATIO else 'not met'}).",
        "- Each round's figures: "
        + "; ".join(f"{row.label}: " + " ".join(f"{v:,.0f}" for v in row.spacegate) for row in rows)
        + ".",
    ]
    return "\n".join(lines) + "\n"


def run_limits_instructions_bench() -> str:
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        return f"{TITLE}\n\nSkipped: valgrind is not installed.\n"
    keep = os.environ.get("SPACEGATE_BENCH_KEEP")  # a directory: keep callgrind's dumps there
    with (
        contextlib.nullcontext(keep)
        if keep
        else tempfile.TemporaryDirectory(prefix="spacegate-bench-instr-") as tmp,
        asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner,
    ):
        Path(tmp).mkdir(parents=True, exist_ok=True)
        rows = runner.run(_bench(Path(tmp)))
    return _report(rows)


if __name__ == "__main__":
    try:
        section = run_limits_instructions_bench()
    except RuntimeError as exc:
        sys.exit(f"limits instructions benchmark failed: {exc}")
    sys.stdout.write(section)
    RESULTS.write_text(section)
