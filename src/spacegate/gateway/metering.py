"""Metering off the request path: usage events are queued and written in batches.

One batch is one transaction: its inference-log rows, its usage-ledger rows (aggregated per space x
model x key x quarter-hour) and the entitlement counter increments commit together or not at all, so
counters, ledger and logs always agree. A failed batch is retried; the queue is flushed on shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import String, Table, bindparam, insert, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from spacegate.db.errors import refused_value
from spacegate.kit.clock import utcnow
from spacegate.kit.ids import uuid7
from spacegate.models import Entitlement, InferenceLog, UsageLedgerEntry

if TYPE_CHECKING:
    from spacegate.gateway.journal import Journal

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
FLUSH_INTERVAL_S = 0.05
_MILLION = Decimal(1_000_000)


@dataclass(slots=True)
class UsageEvent:
    org_id: uuid.UUID
    endpoint: str
    type: str
    status: str
    http_status: int
    space_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    entitlement_id: uuid.UUID | None = None
    model_id: uuid.UUID | None = None
    model: str = ""
    upstream_model: str | None = None
    connection_id: uuid.UUID | None = None
    purpose: str | None = None
    step_type: str | None = None
    stream: bool = False
    tags: list[str] = field(default_factory=list)
    correlation_id: str | None = None
    request_id: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    usage_estimated: bool = False
    cost: Decimal = Decimal(0)
    latency_ms: float = 0.0
    overhead_ms: float = 0.0
    error: str | None = None
    error_code: str | None = None
    #: Refused by Spacegate before any provider call: logged, never counted as usage.
    refused: bool = False
    refused_by: str | None = None
    created_at: datetime = field(default_factory=utcnow)
    #: The call's line in the crash journal (``gateway.journal``), marked settled once written.
    journal_id: int | None = None


_LOG_TABLE = cast(Table, InferenceLog.__table__)
_LEDGER_TABLE = cast(Table, UsageLedgerEntry.__table__)
#: UsageEvent fields that are inference-log columns (everything but the entitlement).
_LOG_FIELDS = tuple(
    f.name for f in fields(UsageEvent) if f.name not in ("entitlement_id", "journal_id")
)
#: Text columns of the log and their sizes (None: unbounded).
_TEXT_COLUMNS = {
    c.name: getattr(c.type, "length", None)
    for c in _LOG_TABLE.columns
    if isinstance(c.type, String) and c.name in _LOG_FIELDS
}


def _storable(row: dict[str, Any]) -> None:
    """Make a log row's text fit its columns. Most of it was checked at the door, but an
    upstream error message can hold anything, and PostgreSQL refuses a NUL character or an
    over-long value: one such row would otherwise fail its whole batch, again and again."""
    for name, limit in _TEXT_COLUMNS.items():
        value = row[name]
        if value and ("\x00" in value or (limit is not None and len(value) > limit)):
            row[name] = value.replace("\x00", "\ufffd")[:limit]
    tags = row["tags"]
    if tags and any("\x00" in t for t in tags):
        row["tags"] = [t.replace("\x00", "\ufffd") for t in tags]


def cost_of(
    prompt: int, completion: int, in_price: Decimal | None, out_price: Decimal | None
) -> Decimal:
    total = Decimal(0)
    if in_price:
        total += Decimal(prompt) * in_price / _MILLION
    if out_price:
        total += Decimal(completion) * out_price / _MILLION
    return total


def bucket_of(ts: datetime) -> datetime:
    return ts.replace(minute=ts.minute - ts.minute % 15, second=0, microsecond=0)


class Meter:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], journal: Journal | None = None
    ) -> None:
        self._sessions = sessions
        self.journal = journal
        self._queue: deque[UsageEvent] = deque()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        #: One flush at a time: a caller's flush returns only once what was queued before it,
        #: including a batch the background task is writing, is written.
        self._flushing = asyncio.Lock()
        self.written = 0
        self.failures = 0
        #: Events the database refused even alone (logged); never expected.
        self.dropped = 0

    def record(self, event: UsageEvent) -> None:
        self._queue.append(event)
        if len(self._queue) >= BATCH_SIZE:
            self._wake.set()

    @property
    def backlog(self) -> int:
        return len(self._queue)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()

    async def _run(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), FLUSH_INTERVAL_S)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:
                self.failures += 1
                log.warning(
                    "metering batch failed; will retry (%d queued)", len(self._queue), exc_info=True
                )
                await asyncio.sleep(min(5.0, 0.1 * self.failures))

    async def flush(self) -> None:
        """Write everything queued so far, batch by batch. Raises if the database refuses."""
        async with self._flushing:
            await self._flush()

    async def _flush(self) -> None:
        while self._queue:
            batch = [self._queue.popleft() for _ in range(min(BATCH_SIZE, len(self._queue)))]
            try:
                await self._write(batch)
            except DBAPIError as exc:
                if not refused_value(exc):
                    self._queue.extendleft(reversed(batch))
                    raise
                # Something in the batch cannot be stored: write the events one by one so only
                # the refused one is set aside, instead of holding back everyone's usage.
                await self._write_each(batch)
                continue
            except BaseException:
                self._queue.extendleft(reversed(batch))  # keep order; nothing is lost
                raise
            self.written += len(batch)
            self._settled(batch)

    def _settled(self, events: list[UsageEvent]) -> None:
        if self.journal is not None:
            self.journal.settled(ev.journal_id for ev in events)

    async def _write_each(self, batch: list[UsageEvent]) -> None:
        for i, event in enumerate(batch):
            try:
                await self._write([event])
            except DBAPIError as exc:
                if not refused_value(exc):
                    self._queue.extendleft(reversed(batch[i:]))
                    raise
                self.dropped += 1
                self._settled([event])  # set aside for good: not to be settled again
                log.error(
                    "usage event refused by the database and set aside: org %s, model %s, "
                    "request %s",
                    event.org_id,
                    event.model,
                    event.request_id,
                    exc_info=True,
                )
                continue
            except BaseException:
                self._queue.extendleft(reversed(batch[i:]))
                raise
            self.written += 1
            self._settled([event])

    async def write(self, batch: list[UsageEvent]) -> None:
        """Write ``batch`` now, in one transaction (the crash journal's recovery)."""
        await self._write(batch)

    async def _write(self, batch: list[UsageEvent]) -> None:
        logs = []
        ledger: dict[tuple[Any, ...], dict[str, Any]] = {}
        counters: dict[uuid.UUID, dict[str, Any]] = {}
        for ev in batch:
            # A flat copy of the fields: ``dataclasses.asdict`` deep-copies and costs far more.
            row = {name: getattr(ev, name) for name in _LOG_FIELDS}
            row["id"] = uuid7()
            _storable(row)
            logs.append(row)
            if ev.entitlement_id is None or ev.space_id is None or ev.model_id is None:
                continue
            if ev.refused:  # logged, but not usage
                continue
            key = (ev.org_id, ev.space_id, ev.model_id, ev.api_key_id, bucket_of(ev.created_at))
            agg = ledger.setdefault(
                key,
                {
                    "requests": 0,
                    "input_tokens": 0,
                    "output_tokens": 0,
                    "total_tokens": 0,
                    "cost": Decimal(0),
                },
            )
            agg["requests"] += 1
            agg["input_tokens"] += ev.prompt_tokens
            agg["output_tokens"] += ev.completion_tokens
            agg["total_tokens"] += ev.total_tokens
            agg["cost"] += ev.cost
            c = counters.setdefault(ev.entitlement_id, {"n": 0, "t": 0, "ts": ev.created_at})
            c["n"] += 1
            c["t"] += ev.total_tokens
            c["ts"] = max(c["ts"], ev.created_at)
        now = utcnow()
        async with self._sessions() as session, session.begin():
            # Core inserts on the tables: the ORM's bulk path adds per-row bookkeeping we don't use.
            await session.execute(insert(_LOG_TABLE), logs)
            if ledger:
                await session.execute(
                    insert(_LEDGER_TABLE),
                    [
                        {
                            "id": uuid7(),
                            "org_id": org,
                            "space_id": space,
                            "model_id": model,
                            "api_key_id": key_id,
                            "bucket_start": bucket,
                            "created_at": now,
                            **agg,
                        }
                        for (org, space, model, key_id, bucket), agg in ledger.items()
                    ],
                )
            if counters:
                stmt = (
                    update(Entitlement)
                    .where(Entitlement.id == bindparam("eid"))
                    .values(
                        request_count=Entitlement.request_count + bindparam("n"),
                        total_tokens=Entitlement.total_tokens + bindparam("t"),
                        last_used_at=bindparam("ts"),
                    )
                    .execution_options(synchronize_session=False)
                )
                conn = await session.connection()
                await conn.execute(
                    stmt,
                    [
                        {"eid": eid, "n": c["n"], "t": c["t"], "ts": c["ts"]}
                        for eid, c in counters.items()
                    ],
                )


__all__ = ["Meter", "UsageEvent", "bucket_of", "cost_of"]
