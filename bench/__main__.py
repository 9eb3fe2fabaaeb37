"""``python -m bench`` (``make bench``): run the benchmarks and write ``bench/results.md``.

``--only control-plane``, ``--only gateway``, ``--only limits``, ``--only limits-instructions``,
``--only journal-instructions``, ``--only proxy-cost``,
``--only refusals``, ``--only factory``, ``--only rag``, ``--only endpoints`` or
``--only turn-check`` runs one of them and replaces only its own section of ``bench/results.md``
(each section sits between ``<!-- bench:NAME -->`` markers; the others are kept as they were)
(``limits-instructions`` and ``journal-instructions`` need Valgrind; without it, they say so and
are skipped).
"""

from __future__ import annotations

import argparse
import platform
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.md"


def _control_plane() -> str:
    from bench.control_plane import run_control_plane_bench

    return run_control_plane_bench()


def _gateway() -> str:
    from bench.gateway import run_gateway_bench

    return run_gateway_bench()


def _limits() -> str:
    from bench.limits import run_limits_bench

    return run_limits_bench()


def _limits_instructions() -> str:
    from bench.limits_instructions import run_limits_instructions_bench

    return run_limits_instructions_bench()


def _journal_instructions() -> str:
    from bench.journal_instructions import run_journal_instructions_bench

    return run_journal_instructions_bench()


def _proxy_cost() -> str:
    from bench.proxy_cost import run_proxy_cost_bench

    return run_proxy_cost_bench()


def _refusals() -> str:
    from bench.refusals import run_refusals_bench

    return run_refusals_bench()


def _endpoints() -> str:
    from bench.endpoints import run_endpoints_bench

    return run_endpoints_bench()


def _factory() -> str:
    from bench.factory import run_factory_bench

    return run_factory_bench()


def _rag() -> str:
    from bench.rag import run_rag_bench

    return run_rag_bench()


def _turn_check() -> str:
    from bench.turn_check import run_turn_check_bench

    return run_turn_check_bench()


BENCHES: dict[str, Callable[[], str]] = {
    "control-plane": _control_plane,
    "gateway": _gateway,
    "limits": _limits,
    "limits-instructions": _limits_instructions,
    "journal-instructions": _journal_instructions,
    "proxy-cost": _proxy_cost,
    "refusals": _refusals,
    "factory": _factory,
    "rag": _rag,
    "turn-check": _turn_check,
    "endpoints": _endpoints,
}


def _marked(name: str, body: str) -> str:
    return f"<!-- bench:{name} -->\n{body.rstrip()}\n<!-- /bench:{name} -->\n"


def merge_sections(existing: str, header: str, fresh: dict[str, str]) -> str:
    """``existing`` results with each of ``fresh``'s sections replaced (or appended, in order).

    Sections of benchmarks that were not run stay as they were; the header (machine, Python) is
    the current one.
    """
    kept: dict[str, str] = {}
    for name in BENCHES:
        start, end = f"<!-- bench:{name} -->\n", f"<!-- /bench:{name} -->\n"
        i = existing.find(start)
        j = existing.find(end, i + len(start)) if i >= 0 else -1
        if i >= 0 and j >= 0:
            kept[name] = existing[i + len(start) : j]
    kept.update(fresh)
    parts = [header] + [_marked(name, kept[name]) for name in BENCHES if name in kept]
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", choices=sorted(BENCHES), help="run one benchmark")
    args = parser.parse_args()
    names = [args.only] if args.only else list(BENCHES)
    header = "\n".join(
        [
            "# Benchmarks",
            "",
            f"Machine: {platform.machine()}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}.",
            "",
        ]
    )
    fresh: dict[str, str] = {}
    for name in names:
        print(f"running the {name} benchmark...", flush=True)
        fresh[name] = BENCHES[name]()
    existing = RESULTS.read_text() if args.only and RESULTS.exists() else ""
    RESULTS.write_text(merge_sections(existing, header, fresh))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
