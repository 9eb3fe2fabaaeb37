"""What the guarantee suites counted, for `make guarantees` to render into docs/guarantees.md.

A suite calls ``record("isolation", attempts=812, leaks=0)`` once per run of a check; when
``SPACEGATE_GUARANTEES_REPORT`` names a file, each call appends one JSON line to it (otherwise it
does nothing, so the suites run the same under plain ``make test``). Counters of the same suite
and name are summed by the renderer; strings (an outcome such as ``"503 then recovered"``) are
listed.
"""

from __future__ import annotations

import json
import os
import threading

REPORT_ENV = "SPACEGATE_GUARANTEES_REPORT"
_lock = threading.Lock()


def record(suite: str, /, **counters: int | str) -> None:
    path = os.environ.get(REPORT_ENV)
    if not path:
        return
    line = json.dumps({"suite": suite, **counters}, sort_keys=True)
    with _lock, open(path, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
