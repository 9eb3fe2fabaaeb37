"""Sampling Spacegate with py-spy during a c=32 run and sorting the samples into the steps of a
gateway call ("where the time goes").

py-spy writes collapsed stacks (``frame;frame;...;leaf count``). Each stack is charged to the
innermost frame that belongs to a known step, so time spent in a library is charged to the step
that called it (orjson under the gateway's admission code counts as request parsing, sqlite under
the meter counts as metering) unless the library is itself a step (httpx is "upstream call").
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench import gateway_load as load
from bench import gateway_procs as procs

#: (step, substrings of a frame "function (file)") checked innermost frame first, in this order
#: for each frame. Frames that match nothing (asyncio, anyio, the event loop) are looked through.
STEPS: list[tuple[str, tuple[str, ...]]] = [
    ("auth (principal cache, key hash)", ("spacegate/auth/", "spacegate/kit/apikeys")),
    (
        "catalog + policy (space, entitlement, route)",
        (
            "gateway/catalog.py",
            "gateway/policy.py",
            "gateway/balancer.py",
            "kit/invalidation.py",
        ),
    ),
    (
        "metering + metrics (queue, batch writes, Prometheus)",
        (
            "gateway/metering.py",
            "prometheus_client/",
            "_meter (",
        ),
    ),
    ("limits (rate limits, budgets)", ("gateway/limiting.py", "spacegate/limits/")),
    (
        "upstream call (httpx, provider adapter)",
        (
            "httpx/",
            "httpcore/",
            "h11/",
            "gateway/providers/",
            "gateway/upstream.py",
        ),
    ),
    (
        "request parsing (headers, body, JSON)",
        (
            "_admit (",
            "starlette/requests.py",
            "starlette/datastructures.py",
        ),
    ),
    ("response (build, send)", ("starlette/responses.py", "_dispatch (")),
    (
        "middleware (request id, CORS, errors)",
        (
            "spacegate/middleware.py",
            "starlette/middleware/",
            "fastapi/middleware/",
            "fastapi/_body_limit.py",
            "fastapi/telemetry/",
            "uvicorn/middleware/",
        ),
    ),
    (
        "routing (FastAPI / Starlette)",
        (
            "fastapi/",
            "starlette/routing.py",
            "starlette/applications.py",
            "api/openai/router.py",
            "starlette/_exception_handler.py",
        ),
    ),
    ("HTTP server (uvicorn, httptools)", ("uvicorn/",)),
]
OTHER = "event loop, sockets and other"
RATE_HZ = 200


@dataclass(frozen=True)
class Share:
    step: str
    samples: int
    fraction: float


def start(pid: int, output: Path, seconds: float) -> tuple[subprocess.Popen[bytes], Path]:
    argv = [
        procs.tool("py-spy"),
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(max(1, round(seconds))),
        "--rate",
        str(RATE_HZ),
        # Only samples holding the GIL: Python work, not threads parked on a queue. Without
        # pausing the server for each sample, so it runs near its real speed.
        "--gil",
        "--nonblocking",
        "--format",
        "raw",
        "--nolineno",
        "--output",
        str(output),
    ]
    spy = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    return spy, output


def finish(spy: tuple[subprocess.Popen[bytes], Path]) -> dict[str, int]:
    proc, output = spy
    _, err = proc.communicate(timeout=120)
    if proc.returncode != 0 or not output.exists():
        raise RuntimeError(
            f"py-spy failed ({proc.returncode}): {err.decode(errors='replace')[-1000:]} "
            "(it needs ptrace rights on the server: run as root or with CAP_SYS_PTRACE)"
        )
    stacks: dict[str, int] = {}
    for line in output.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks[stack] = stacks.get(stack, 0) + int(count)
    return stacks


#: SQLAlchemy and aiosqlite are charged to whoever queried (the meter, a cache miss...); the
#: driver's own thread runs every query and cannot tell whose it is.
DRIVER_THREAD = "SQLite driver thread (every query)"
#: SQLAlchemy's async layer runs queries in greenlets, whose stacks do not show who called.
DATABASE = "database calls (caller hidden by SQLAlchemy's greenlets; mostly metering)"


def step_of(stack: str) -> str:
    if "_connection_worker_thread" in stack:
        return DRIVER_THREAD
    for frame in reversed(stack.split(";")):
        for step, needles in STEPS:
            if any(n in frame for n in needles):
                return step
    if "sqlalchemy/" in stack:
        return DATABASE
    return OTHER


def breakdown(stacks: dict[str, int]) -> list[Share]:
    totals: dict[str, int] = {}
    for stack, count in stacks.items():
        step = step_of(stack)
        totals[step] = totals.get(step, 0) + count
    whole = sum(totals.values()) or 1
    return sorted(
        (Share(step, n, n / whole) for step, n in totals.items()),
        key=lambda s: s.samples,
        reverse=True,
    )


def render(where: list[Share], profiled: load.RunResult) -> list[str]:
    samples = sum(s.samples for s in where)
    # Each sample stands for 1/RATE_HZ s of Python work; spread over the calls served meanwhile.
    us_per_sample = 1e6 / RATE_HZ / profiled.completed if profiled.completed else 0.0
    lines = [
        "### Where the time goes (py-spy, through Spacegate at c=32)",
        "",
        f"{samples:,} samples ({RATE_HZ} Hz, GIL held) of Spacegate's process while it served "
        f"{profiled.completed:,} calls at {profiled.rps:,.0f} requests/s under the profiler: "
        f"about {samples * us_per_sample:.0f} µs per call with the GIL held. That is not the "
        "CPU per call above: it leaves out work done without the GIL (most kernel time, SQLite's "
        "own engine) and, on a busy machine, counts moments the process held the GIL while "
        "waiting for a core. Each sample is charged to the innermost step it was in; a system "
        "call (a socket write) is charged to the step that made it.",
        "",
        "| step | share | ≈ µs per call |",
        "|---|---:|---:|",
    ]
    for share in where:
        lines.append(
            f"| {share.step} | {share.fraction * 100:.1f}% | {share.samples * us_per_sample:.0f} |"
        )
    return [*lines, "", *READING]


#: What the steps contain, for whoever reads the table.
READING = [
    "Reading the table: *upstream call* is building the provider request, the one socket write "
    "that sends it (on a small VM, a loopback write that wakes another process is the most "
    "expensive single line of the whole call), waiting for and reading the answer, and the "
    "provider adapter's usage parsing. *HTTP server* is uvicorn parsing the client's request "
    "and writing the answer (two writes: head, then body). *Metering* on the request path is "
    "one event appended to a queue plus five Prometheus updates; the batch INSERTs run in the "
    "background and show up as *database calls* and the *driver thread*. *Auth* and *catalog* "
    "are dictionary lookups while their 5 s cache entries are fresh, and one shared database "
    "load per key when an entry expires.",
]
