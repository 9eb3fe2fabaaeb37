"""The crash journal: calls that left and never settled are found again, once, by the next
process; a journal whose process still runs is left alone; a line cut by the crash is skipped."""

from __future__ import annotations

import os
import uuid
from decimal import Decimal
from pathlib import Path

import orjson

from spacegate.auth.permissions import Role
from spacegate.auth.principal import Principal
from spacegate.gateway.call import Call
from spacegate.gateway.catalog import Route, Target
from spacegate.gateway.journal import SETTLED_ERROR, Journal
from spacegate.gateway.metering import UsageEvent
from spacegate.kit.clock import utcnow

ORG = uuid.uuid4()
PRINCIPAL = Principal(
    org_id=ORG,
    user_id=uuid.uuid4(),
    api_key_id=uuid.uuid4(),
    role=Role.developer,
    user_permissions=frozenset(),
)
TARGET = Target(
    id=uuid.uuid4(),
    connection_id=uuid.uuid4(),
    protocol="openai",
    base_url="http://127.0.0.1:9",
    api_key=None,
    config={},
    upstream_model="gpt-fake",
    priority=0,
    weight=1,
)
ROUTE = Route(
    entitlement_id=uuid.uuid4(),
    enabled=True,
    is_default=False,
    limits={},
    allowed_endpoints=frozenset(),
    allowed_purposes=frozenset(),
    allowed_step_types=frozenset(),
    model_id=uuid.uuid4(),
    alias="chat",
    model_enabled=True,
    context_window=None,
    capabilities=(),
    overrides={},
    strategy="priority",
    input_price=Decimal("2"),  # per million tokens
    output_price=Decimal("10"),
    created_at=utcnow(),
    targets=(TARGET,),
)


def _call(size: int, route: Route = ROUTE) -> Call:
    return Call(
        principal=PRINCIPAL,
        space_id=uuid.uuid4(),
        endpoint="chat.completions",
        route=route,
        purpose="nightly-report",
        step_type=None,
        tags=["nightly"],
        type="chat.completions",
        correlation_id="corr-1",
        request_id=None,
        started=0.0,
        size=size,
    )


def _start(journal: Journal, size: int, max_tokens: int = 100) -> int | None:
    return journal.started(_call(size), {"max_tokens": max_tokens}, TARGET, False)


async def test_unsettled_calls_of_a_dead_process_are_recovered_once(tmp_path: Path) -> None:
    dead = Journal(tmp_path)
    first, second, third = (_start(dead, size) for size in (36, 76, 116))
    dead.settled([first, None])
    with dead.path.open("ab") as f:
        f.write(b'S 99 {"org_id": "cut')  # the crash cut the last line
    alive = Journal(tmp_path)
    _start(alive, 156)

    # While the first process runs, its journal is not touched.
    later = Journal(tmp_path)
    written: list[list[UsageEvent]] = []

    async def write(events: list[UsageEvent]) -> None:
        written.append(events)

    assert await later.recover(write) == 0 and written == []

    os.close(dead._fd)  # the process dies: its lock goes with it
    assert await later.recover(write) == 2
    [events] = written
    # Metered at their reservation: a token per 4 bytes of prompt (+1), the max_tokens asked.
    assert [e.prompt_tokens for e in events] == [20, 30]
    assert [e.completion_tokens for e in events] == [100, 100]
    assert [e.total_tokens for e in events] == [120, 130]
    assert events[0].cost == Decimal(20 * 2 + 100 * 10) / 1_000_000
    assert events[0].usage_estimated and events[0].status == "error"
    assert events[0].error == SETTLED_ERROR
    assert events[0].org_id == ORG and isinstance(events[0].org_id, uuid.UUID)
    assert events[0].entitlement_id == ROUTE.entitlement_id
    assert (events[0].model, events[0].upstream_model) == ("chat", "gpt-fake")
    assert events[0].connection_id == TARGET.connection_id
    assert events[0].tags == ["nightly"] and events[0].purpose == "nightly-report"
    assert abs((utcnow() - events[0].created_at).total_seconds()) < 60
    assert not dead.path.exists() and alive.path.exists()
    assert await later.recover(write) == 0  # never twice
    assert second is not None and third is not None
    alive.close()
    assert not alive.path.exists()


async def test_each_caller_and_route_is_described_once_and_lines_are_short(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    for _ in range(3):
        _start(journal, 40)
    other = Route(**{**{f: getattr(ROUTE, f) for f in ROUTE.__dataclass_fields__}, "alias": "b"})
    journal.started(_call(40, other), {}, TARGET, True)
    lines = journal.path.read_bytes().splitlines()
    assert [line[:1] for line in lines] == [b"K", b"S", b"S", b"S", b"K", b"S"]
    assert all(len(line) < 300 for line in lines if line.startswith(b"S"))

    os.close(journal._fd)
    written: list[list[UsageEvent]] = []

    async def write(events: list[UsageEvent]) -> None:
        written.append(events)

    assert await Journal(tmp_path).recover(write) == 4
    assert [e.model for e in written[0]] == ["chat", "chat", "chat", "b"]
    assert written[0][-1].stream and not written[0][0].stream


async def test_a_journal_written_whole_by_an_earlier_version_is_still_settled(
    tmp_path: Path,
) -> None:
    row = {
        "org_id": str(ORG),
        "endpoint": "embeddings",
        "type": "embeddings",
        "status": "error",
        "http_status": 502,
        "prompt_tokens": 7,
        "total_tokens": 7,
        "usage_estimated": True,
        "cost": "0.5",
        "created_at": "2026-12-01T10:00:00+00:00",
    }
    (tmp_path / "old.log").write_bytes(b"S 1 " + orjson.dumps(row) + b"\n")
    written: list[list[UsageEvent]] = []

    async def write(events: list[UsageEvent]) -> None:
        written.append(events)

    assert await Journal(tmp_path).recover(write) == 1
    assert written[0][0].cost == Decimal("0.5") and written[0][0].org_id == ORG
