"""Render what the guarantee suites recorded (``report.record``) into ``docs/guarantees.md``.

    python -m tests.guarantees.render REPORT.jsonl [OUT.md]

One row per suite and database: integer counters of the same name are summed; strings (outcomes,
integrity results) are listed once each.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

#: Table column -> the counter names that feed it (summed).
COLUMNS: dict[str, tuple[str, ...]] = {
    "Cases": ("cases",),
    "Server errors": ("server_errors",),
    "Isolation attempts": ("attempts",),
    "Leaks": ("leaks",),
    "Duplicates": ("duplicates", "duplicated"),
    "Lost writes": ("lost", "lost_writes"),
}
#: Rendered by the columns above, or the row's own key.
_USED = {"suite", "database", *(n for names in COLUMNS.values() for n in names)}


def load(path: Path) -> list[dict[str, int | str]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def table(records: list[dict[str, int | str]]) -> str:
    rows: dict[tuple[str, str], list[dict[str, int | str]]] = defaultdict(list)
    for rec in records:
        rows[(str(rec["suite"]), str(rec.get("database", "-")))].append(rec)
    head = ["Suite", "Database", *COLUMNS, "Other counts", "Outcomes"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for (suite, db), recs in sorted(rows.items()):
        cells = [suite, db]
        for names in COLUMNS.values():
            values = [r[n] for r in recs for n in names if isinstance(r.get(n), int)]
            cells.append(str(sum(values)) if values else "-")  # type: ignore[arg-type]
        others: dict[str, int] = defaultdict(int)
        outcomes: list[str] = []
        for r in recs:
            for k, v in r.items():
                if k in _USED:
                    continue
                if isinstance(v, int) and not isinstance(v, bool):
                    others[k] += v
                else:
                    text = f"{k}: {v}" if k not in ("outcome", "case") else str(v)
                    if text not in outcomes:
                        outcomes.append(text)
        cells.append(", ".join(f"{k} {v}" for k, v in sorted(others.items())) or "-")
        cells.append("<br>".join(o.replace("|", "\\|") for o in outcomes) or "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render(records: list[dict[str, int | str]]) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"""# Guarantees

What `make guarantees` observed on its last run ({stamp}): every number below was counted by
the suites in `tests/guarantees/` and `tests/api/` against real servers and real databases
(SQLite and PostgreSQL), never written by hand. A server error is any 5xx a client should not
have seen (a 503 with `Retry-After` while the database is away is the expected answer, not an
error), or an unhandled error in a server's log.

{table(records) if records else "_No suite recorded anything: run `make guarantees`._"}

- **idempotency**: identical POSTs with one `Idempotency-Key`, at once, over one process (SQLite)
  or two (PostgreSQL); `objects` is what the database held afterwards.
- **crash**: a server killed (`kill -9`) before the claim, after the claim, after the commit and
  after the answer; the client retried the same key against the restarted server.
- **durability**: client threads writing while the server was killed three times; `acknowledged`
  writes were all found, none twice; SQLite's `PRAGMA integrity_check`.
- **faults**: the database unreachable for 10 s; providers answering garbage, huge bodies,
  redirects, 500s, resets and truncated bodies.
- **ssrf**: internal base URLs in every spelling, refused at create, update and connect time;
  `canary_hits` counts connections a local listener received.
"""


def main(argv: list[str]) -> int:
    if not 1 <= len(argv) <= 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1] if len(argv) == 2 else "docs/guarantees.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(load(Path(argv[0]))))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
