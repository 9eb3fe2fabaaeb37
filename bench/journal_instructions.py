"""Crash journal benchmark, counted in instructions: what the usage journal costs per answer.

Every call that leaves for a provider first appends a line to the process's crash journal
(``gateway.journal``: a few values serialised with orjson, written with one ``write``), and every
metered batch appends one more. The target is that this costs the gateway at most 3% of its
speed. Throughput on a shared machine moves by more than that from one run to the next, and so
does a whole server's instruction count per answer (its periodic work, per second rather than per
answer, weighs more the slower the machine runs it). So the two are counted apart, with Valgrind's
callgrind, which counts instructions whatever the machine's load:

- the journal's own work per call, exactly: a process that journals N calls the way the gateway
  does (``started`` per call, ``settled`` per batch of 32), counted for N = 0 and N = 20,000; the
  difference over N;
- the gateway's work per answer, as shipped (journal on): ``spacegate serve`` under callgrind, the
  limits-off target of ``bench.limits`` (non-streaming chat completions, 32 clients), in rounds;
- the kernel's part of the ``write``, which callgrind does not see, timed.

``python -m bench.journal_instructions`` writes ``bench/results-journal.md``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import uvloop

from bench import callgrind
from bench import gateway_load as load
from bench import gateway_procs as procs
from bench.limits import targets
from bench.limits_instructions import ANSWERS, ROUNDS, WARMUP, Counted, _valgrind

TITLE = "## Crash journal: instructions per answer (callgrind)"
RESULTS = Path(__file__).resolve().parent / "results-journal.md"
TARGET_RATIO = 0.97
#: Spacegate's CPU per call at c=32 (``bench/results-gateway.md``), to put the write in scale.
CPU_PER_CALL_US = 595
CONCURRENCY = 32
#: Calls journalled by the counted loop, and the batch the meter settles them in.
LOOP_CALLS = 20_000
BATCH = 32


def _loop(n: int) -> None:
    """Journal ``n`` calls as the gateway does (the counted process of the first part)."""
    from spacegate.auth.permissions import Role
    from spacegate.auth.principal import Principal
    from spacegate.gateway.call import Call
    from spacegate.gateway.catalog import Route, Target
    from spacegate.gateway.journal import Journal
    from spacegate.kit.clock import utcnow

    principal = Principal(
        org_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        api_key_id=uuid.uuid4(),
        role=Role.developer,
        user_permissions=frozenset(),
    )
    target = Target(uuid.uuid4(), uuid.uuid4(), "openai", "http://127.0.0.1:9", None, {}, "m", 0, 1)
    route = Route(
        uuid.uuid4(), True, False, {}, frozenset(), frozenset(), frozenset(), uuid.uuid4(),
        "bench-chat", True, None, (), {}, "priority", None, None, utcnow(), (target,),
    )  # fmt: skip
    body = {"model": "bench-chat", "messages": [{"role": "user", "content": "Say hello."}]}
    with tempfile.TemporaryDirectory(prefix="spacegate-bench-loop-") as tmp:
        journal = Journal(Path(tmp))
        batch: list[int | None] = []
        for i in range(n):
            call = Call(
                principal, uuid.uuid4(), "chat.completions", route, None, None, [],
                "chat.completions", f"corr-{i}", f"req-{i}", 0.0, 120,
            )  # fmt: skip
            batch.append(journal.started(call, body, target, False))
            if len(batch) == BATCH:
                journal.settled(batch)
                batch = []
        journal.close()


def _count_loop(workdir: Path, n: int) -> int:
    out = workdir / f"loop-{n}.out"
    return callgrind.count_module(out, "bench.journal_instructions", "--loop", str(n))


def _per_call(workdir: Path) -> float:
    """The journal's own instructions per call (the loop's, less a loop that journals none;
    the calls' ``Call`` objects are built in both, as the gateway builds them anyway)."""
    return (_count_loop(workdir, LOOP_CALLS) - _count_loop(workdir, 0)) / LOOP_CALLS


@contextlib.asynccontextmanager
async def _server(workdir: Path, fake: str) -> AsyncIterator[tuple[Counted, load.Target, Path]]:
    data_dir = workdir / "data"
    made = procs.bootstrap(data_dir)
    env = procs.spacegate_env(data_dir)
    port = procs.free_port()
    argv = [*_valgrind(workdir, "spacegate"), procs.tool("spacegate"), "serve", "--port", str(port)]
    server = procs._spawn("spacegate", [*argv, "--workers", "1"], env, workdir, port)
    try:
        server.wait_ready("/healthz", timeout=600)
        off, _ = await targets(server, fake, made)

        async def health() -> None:
            async with httpx.AsyncClient(timeout=60) as client:
                await client.get(server.url + "/healthz")

        yield Counted("spacegate", server.pid, workdir / "spacegate.%p", health), off, server.log
    finally:
        server.stop()


async def _per_answer(workdir: Path) -> list[float]:
    """The gateway's instructions per answer, as shipped, one figure per round."""
    samples = []
    async with contextlib.AsyncExitStack() as stack:
        fake = stack.enter_context(procs.fake_provider(workdir))
        counted, target, log = await stack.enter_async_context(_server(workdir, fake.url))
        await load.run(target, concurrency=CONCURRENCY, max_requests=WARMUP, max_seconds=3600)
        for _ in range(ROUNDS):
            await counted.switch(True)
            await counted.zero()
            r = await load.run(
                target, concurrency=CONCURRENCY, max_requests=ANSWERS, max_seconds=3600
            )
            total = await counted.take()
            await counted.switch(False)
            if r.errors:
                raise RuntimeError(f"{r.errors} failed ({r.statuses}):\n{log.read_text()[-2000:]}")
            samples.append(total / r.completed)
    return samples


def _write_cost() -> float:
    """Microseconds the kernel takes for one journal line: the part callgrind cannot count.
    The median of 9 runs of 20,000 appends of a line of a call's length."""
    line = b"S 1 1 " + b"x" * 170 + b"\n"
    runs = []
    with tempfile.TemporaryDirectory(prefix="spacegate-bench-write-") as tmp:
        fd = os.open(Path(tmp) / "j.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            for _ in range(9):
                t0 = time.perf_counter()
                for _ in range(20_000):
                    os.write(fd, line)
                runs.append((time.perf_counter() - t0) / 20_000 * 1e6)
        finally:
            os.close(fd)
    return statistics.median(runs)


def _report(journal: float, answers: list[float], write_us: float) -> str:
    answer = statistics.median(answers)
    ratio = (answer - journal) / answer
    lines = [
        TITLE,
        "",
        f"The journal's own work counted in a loop of {LOOP_CALLS:,} calls (settled in batches of "
        f"{BATCH}); the gateway's per answer counted in `spacegate serve` (journal on, "
        f"{CONCURRENCY} clients, {ANSWERS} non-streaming chat completions per round, {ROUNDS} "
        "rounds, median). *Speed kept* is the gateway's instructions without the journal's over "
        "its instructions with them: the throughput ratio of a server whose core is its "
        "bottleneck.",
        "",
        "| | instructions |",
        "|---|---:|",
        f"| the journal, per call | {journal:,.0f} |",
        f"| the gateway, per answer (journal included) | {answer:,.0f} |",
        f"| speed kept | {ratio:.4f} |",
        "",
        f"- The journal leaves **{ratio:.3f}x** the gateway's speed, {1 - ratio:.2%} of its "
        f"instructions (target ≥ {TARGET_RATIO:.2f}: "
        f"{'met' if ratio >= TARGET_RATIO else 'not met'}).",
        "- Not counted by callgrind: the kernel's part of the line's `write`, "
        f"**{write_us:.1f} µs** per call timed here, against the {CPU_PER_CALL_US} µs of CPU a "
        f"call costs the gateway (`bench/results-gateway.md`): {write_us / CPU_PER_CALL_US:.1%}.",
        "- The gateway's rounds: " + " ".join(f"{v:,.0f}" for v in answers) + ".",
    ]
    return "\n".join(lines) + "\n"


def run_journal_instructions_bench() -> str:
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        return f"{TITLE}\n\nSkipped: valgrind is not installed.\n"
    keep = os.environ.get("SPACEGATE_BENCH_KEEP")
    with (
        contextlib.nullcontext(keep)
        if keep
        else tempfile.TemporaryDirectory(prefix="spacegate-bench-journal-") as tmp,
        asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner,
    ):
        Path(tmp).mkdir(parents=True, exist_ok=True)
        journal = _per_call(Path(tmp))
        answers = runner.run(_per_answer(Path(tmp)))
    return _report(journal, answers, _write_cost())


if __name__ == "__main__":
    if sys.argv[1:2] == ["--loop"]:
        _loop(int(sys.argv[2]))
        sys.exit(0)
    try:
        section = run_journal_instructions_bench()
    except RuntimeError as exc:
        sys.exit(f"journal instructions benchmark failed: {exc}")
    sys.stdout.write(section)
    RESULTS.write_text(section)
