"""Counting instructions with Valgrind's callgrind: what the instruction benches share."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def totals(dump: Path) -> int:
    """The instructions a callgrind output file counted."""
    for line in dump.read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {dump}")


def count_module(out: Path, module: str, *args: str) -> int:
    """Run ``python -m module args...`` under callgrind to its end; the instructions it took."""
    argv = [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={out}",
        "--quiet",
        sys.executable,
        "-m",
        module,
        *args,
    ]
    subprocess.run(argv, check=True, cwd=ROOT, capture_output=True)  # noqa: S603
    return totals(out)
