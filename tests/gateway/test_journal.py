"""The crash journal: calls that left and never settled are found again, once, by the next
process; a journal whose process still runs is left alone; a line cut by the crash is skipped."""

from __future__ import annotations

import os
import uuid
from decimal import Decimal
from pathlib import Path

from spacegate.gateway.journal import Journal
from spacegate.gateway.metering import UsageEvent


def _event(tokens: int) -> UsageEvent:
    return UsageEvent(
        org_id=uuid.uuid4(),
        space_id=uuid.uuid4(),
        entitlement_id=uuid.uuid4(),
        endpoint="chat.completions",
        type="chat.completions",
        status="error",
        http_status=502,
        prompt_tokens=tokens,
        total_tokens=tokens,
        usage_estimated=True,
        cost=Decimal("0.25"),
        tags=["nightly"],
    )


async def test_unsettled_calls_of_a_dead_process_are_recovered_once(tmp_path: Path) -> None:
    dead = Journal(tmp_path)
    first, second, third = (dead.started(_event(n)) for n in (10, 20, 30))
    dead.settled([first, None])
    with dead.path.open("ab") as f:
        f.write(b'S 99 {"org_id": "cut')  # the crash cut the last line
    alive = Journal(tmp_path)
    alive.started(_event(40))

    # While the first process runs, its journal is not touched.
    later = Journal(tmp_path)
    written: list[list[UsageEvent]] = []

    async def write(events: list[UsageEvent]) -> None:
        written.append(events)

    assert await later.recover(write) == 0 and written == []

    os.close(dead._fd)  # the process dies: its lock goes with it
    assert await later.recover(write) == 2
    [events] = written
    assert [e.prompt_tokens for e in events] == [20, 30]
    assert events[0].cost == Decimal("0.25") and events[0].tags == ["nightly"]
    assert isinstance(events[0].org_id, uuid.UUID) and events[0].usage_estimated
    assert not dead.path.exists() and alive.path.exists()
    assert await later.recover(write) == 0  # never twice
    assert second is not None and third is not None
    alive.close()
    assert not alive.path.exists()
