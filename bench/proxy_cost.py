"""Corporate proxy benchmark: what proxy support costs a call that goes direct.

Every upstream request asks the transport's ``ProxyPolicy`` which proxy to use (``select``: the
connection's ``config.proxy_url``, else ``HTTPS_PROXY`` / ``HTTP_PROXY`` unless ``NO_PROXY`` names
the host); the answer is part of the pooled connection's key, so a direct call reuses its
keep-alive connections as before. That decision is all a direct call pays. It is counted here in
instructions with Valgrind's callgrind (a loop of N decisions less a loop of none, so the
machine's load does not move it) and timed, for a machine with no proxy configured and for one
whose proxy the provider's host bypasses through ``NO_PROXY``, against the gateway's instructions
per answer (``bench/results-journal.md``).

``python -m bench.proxy_cost`` writes ``bench/results-proxy.md``.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import callgrind
from bench.journal_instructions import CPU_PER_CALL_US

TITLE = "## Corporate proxy: what a direct call pays"
RESULTS = Path(__file__).resolve().parent / "results-proxy.md"
#: The gateway's instructions per answer, counted by ``bench.journal_instructions``.
GATEWAY_PER_ANSWER = 1_843_581
LOOP = 200_000
HOST = "api.openai.example"

CASES: dict[str, dict[str, str]] = {
    "no proxy configured": {},
    "proxy configured, provider in NO_PROXY": {
        "HTTPS_PROXY": "http://proxy.corp.example:3128",
        "NO_PROXY": f"localhost,.corp.example,{HOST}",
    },
}


def _loop(case: str, n: int) -> float:
    """Make ``n`` decisions for a direct HTTPS call; the seconds they took."""
    from spacegate.gateway.proxy import ProxyPolicy

    policy = ProxyPolicy(CASES[case])
    select = policy.select
    assert select(b"https", HOST, None) is None, "the call must go direct"
    t0 = time.perf_counter()
    for _ in range(n):
        select(b"https", HOST, None)
    return time.perf_counter() - t0


def _count(workdir: Path, case: str, n: int) -> int:
    out = workdir / f"proxy-{abs(hash(case))}-{n}.out"
    return callgrind.count_module(out, "bench.proxy_cost", "--loop", case, str(n))


def _measure(case: str, counted: bool) -> tuple[float | None, float]:
    """Instructions (None without Valgrind) and nanoseconds per decision."""
    instructions = None
    if counted:
        with tempfile.TemporaryDirectory(prefix="spacegate-bench-proxy-") as tmp:
            work = Path(tmp)
            instructions = (_count(work, case, LOOP) - _count(work, case, 0)) / LOOP
    seconds = statistics.median(_loop(case, LOOP) for _ in range(7))
    return instructions, seconds / LOOP * 1e9


def run_proxy_cost_bench() -> str:
    counted = shutil.which("valgrind") is not None
    lines = [
        TITLE,
        "",
        f"The per-request proxy decision for a direct HTTPS call, {LOOP:,} times in a loop "
        "(instructions: callgrind, the loop less an empty one; time: median of 7 loops). The "
        f"gateway's own cost per answer is {GATEWAY_PER_ANSWER:,} instructions "
        f"(`bench/results-journal.md`) and {CPU_PER_CALL_US} µs of CPU "
        "(`bench/results-gateway.md`).",
        "",
        "| machine | instructions per call | share of an answer's | ns per call | share of a "
        "call's CPU |",
        "|---|---:|---:|---:|---:|",
    ]
    for case in CASES:
        instructions, ns = _measure(case, counted)
        shown = "n/a" if instructions is None else f"{instructions:,.0f}"
        share = "n/a" if instructions is None else f"{instructions / GATEWAY_PER_ANSWER:.3%}"
        cpu_share = ns / (CPU_PER_CALL_US * 1000)
        lines.append(f"| {case} | {shown} | {share} | {ns:,.0f} | {cpu_share:.3%} |")
    if not counted:
        lines += ["", "Valgrind is not installed: instructions were not counted."]
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--loop":
        _loop(sys.argv[2], int(sys.argv[3]))
        return
    text = run_proxy_cost_bench()
    RESULTS.write_text("# Benchmarks: corporate proxy\n\n" + text)
    print(text)


if __name__ == "__main__":
    main()
