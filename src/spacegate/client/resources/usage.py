"""Inference logs and usage: the gateway's calls one by one, their summary, per-day totals, and
usage reports from the durable ledger grouped by day, model, space and key."""

from __future__ import annotations

import asyncio
import builtins
import time
import uuid
from collections.abc import AsyncIterator, Generator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any

from spacegate.client._http import AsyncTransport, Id, Op, SyncTransport, model, params
from spacegate.client.pagination import AsyncPager, Page, PageOp, SyncPager, numbered_page
from spacegate.wire.platform.inference_logs import InferenceLogRead, SummaryRead
from spacegate.wire.platform.usage import UsageReportRead

_LOGS = "/v1/inference-logs"
_USAGE = "/v1/usage"
#: Log rows reach the database in batches, a little after the call they describe; ``follow``
#: looks this far back on every poll (and skips rows it already showed) so none is missed.
FOLLOW_LOOKBACK = timedelta(minutes=2)


@dataclass(frozen=True)
class LogFilter:
    """What to narrow logs and summaries to; every field is optional."""

    start_date: datetime | None = None
    end_date: datetime | None = None
    space_id: Id | None = None
    user: Id | None = None
    model: str | None = None
    type: str | None = None
    correlation_id: str | None = None
    status: str | None = None
    tag: str | None = None
    api_key_id: Id | None = None
    #: True: only calls Spacegate refused itself; False: only calls that reached a provider.
    refused: bool | None = None
    error_code: str | None = None

    def query(self, *, summary: bool = False) -> dict[str, Any]:
        values = {
            "start_date": _iso(self.start_date),
            "end_date": _iso(self.end_date),
            "space_id": self.space_id,
            "user": self.user,
            "model": self.model,
            "type": self.type,
            "correlation_id": self.correlation_id,
            "api_key_id": self.api_key_id,
            "refused": None if self.refused is None else str(self.refused).lower(),
            "error_code": self.error_code,
        }
        if not summary:  # the summary has no status or tag filter
            values |= {"status": self.status, "tag": self.tag}
        return params(**values)


@dataclass(frozen=True)
class DailyUsage:
    day: date
    summary: SummaryRead


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _list(f: LogFilter, page_size: int) -> PageOp[InferenceLogRead]:
    def fetch(cursor: str | None) -> Op[Page[InferenceLogRead]]:
        number = int(cursor) if cursor else 1
        query = {**f.query(), "page": number, "page_size": page_size}
        return Op("GET", _LOGS, numbered_page, query)

    return fetch


def _summary(f: LogFilter) -> Op[SummaryRead]:
    return Op("GET", f"{_LOGS}/summary", model(SummaryRead), f.query(summary=True))


def _days(days: int, until: date | None, base: LogFilter) -> list[tuple[date, LogFilter]]:
    """``base`` narrowed to each UTC day, oldest first, ending with ``until`` (today)."""
    last = until or datetime.now(UTC).date()
    out = []
    for back in range(days - 1, -1, -1):
        day = last - timedelta(days=back)
        start = datetime.combine(day, dtime.min, tzinfo=UTC)
        # The server's end bound is inclusive: stop one microsecond before the next day.
        end = start + timedelta(days=1, microseconds=-1)
        out.append((day, LogFilter(**{**base.__dict__, "start_date": start, "end_date": end})))
    return out


def _key(log: InferenceLogRead) -> uuid.UUID:
    return log.id


class _Follow:
    """The state of one ``follow``: where the next poll starts and which rows were shown."""

    def __init__(self, f: LogFilter, since: datetime | None) -> None:
        self.filter = f
        self.since = since
        self.shown: dict[uuid.UUID, datetime] = {}

    def window(self) -> LogFilter:
        start = self.since - FOLLOW_LOOKBACK if self.since is not None else None
        return LogFilter(**{**self.filter.__dict__, "start_date": start, "end_date": None})

    def fresh(self, rows: list[InferenceLogRead]) -> list[InferenceLogRead]:
        new = sorted(
            (r for r in rows if r.id not in self.shown), key=lambda r: (r.created_at, r.id)
        )
        for row in new:
            self.shown[row.id] = row.created_at
            if self.since is None or row.created_at > self.since:
                self.since = row.created_at
        if self.since is not None:  # forget rows that fell out of the look-back window
            floor = self.since - 2 * FOLLOW_LOOKBACK
            self.shown = {k: v for k, v in self.shown.items() if v >= floor}
        return new


class InferenceLogs:
    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def list(
        self, filter: LogFilter | None = None, *, page_size: int = 100
    ) -> SyncPager[InferenceLogRead]:
        """Newest first."""
        return SyncPager(self._t, _list(filter or LogFilter(), page_size), unique=_key)

    def summary(self, filter: LogFilter | None = None) -> SummaryRead:
        """Totals over the filter's period (the last 30 days when it names none)."""
        return self._t.run(_summary(filter or LogFilter()))

    def daily(
        self, *, days: int = 7, until: date | None = None, filter: LogFilter | None = None
    ) -> builtins.list[DailyUsage]:
        """One summary per UTC day, oldest first, ending with ``until`` (today by default)."""
        base = filter or LogFilter()
        out = []
        for day, f in _days(days, until, base):
            out.append(DailyUsage(day, self._t.run(_summary(f))))
        return out

    def follow(
        self,
        filter: LogFilter | None = None,
        *,
        since: datetime | None = None,
        interval: float = 2.0,
        history: bool = False,
        polls: int | None = None,
    ) -> Generator[InferenceLogRead, None, None]:
        """New log rows as they arrive, oldest first, polling every ``interval`` seconds.

        Without ``since`` it starts after the newest existing row (or, with ``history``, from
        every row the filter matches). It ends after ``polls`` polls, or never when None.
        """
        state = _Follow(filter or LogFilter(), since)
        if since is None and not history:
            newest = self._t.run(_list(state.filter, 1)(None)).items
            if newest:  # start after it: mark what already exists in the window as shown
                state.since = newest[0].created_at
                state.fresh(list(self.list(state.window(), page_size=100)))
        done = 0
        while True:
            yield from state.fresh(list(self.list(state.window(), page_size=100)))
            done += 1
            if polls is not None and done >= polls:
                return
            time.sleep(interval)


class AsyncInferenceLogs:
    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    def list(
        self, filter: LogFilter | None = None, *, page_size: int = 100
    ) -> AsyncPager[InferenceLogRead]:
        return AsyncPager(self._t, _list(filter or LogFilter(), page_size), unique=_key)

    async def summary(self, filter: LogFilter | None = None) -> SummaryRead:
        return await self._t.run(_summary(filter or LogFilter()))

    async def daily(
        self, *, days: int = 7, until: date | None = None, filter: LogFilter | None = None
    ) -> builtins.list[DailyUsage]:
        base = filter or LogFilter()
        out = []
        for day, f in _days(days, until, base):
            out.append(DailyUsage(day, await self._t.run(_summary(f))))
        return out

    async def follow(
        self,
        filter: LogFilter | None = None,
        *,
        since: datetime | None = None,
        interval: float = 2.0,
        history: bool = False,
        polls: int | None = None,
    ) -> AsyncIterator[InferenceLogRead]:
        state = _Follow(filter or LogFilter(), since)
        if since is None and not history:
            newest = (await self._t.run(_list(state.filter, 1)(None))).items
            if newest:
                state.since = newest[0].created_at
                state.fresh(await self.list(state.window(), page_size=100).to_list())
        done = 0
        while True:
            for row in state.fresh(await self.list(state.window(), page_size=100).to_list()):
                yield row
            done += 1
            if polls is not None and done >= polls:
                return
            await asyncio.sleep(interval)


@dataclass(frozen=True)
class UsageQuery:
    """What ``usage.report`` sums: ``group_by`` any of day, model, space, api_key."""

    group_by: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    space_id: Id | None = None
    model: str | None = None
    api_key_id: Id | None = None
    tz: str | None = None

    def op(self) -> Op[UsageReportRead]:
        query = params(
            group_by=",".join(self.group_by) or None,
            start=_iso(self.start),
            end=_iso(self.end),
            space_id=self.space_id,
            model=self.model,
            api_key_id=self.api_key_id,
            tz=self.tz,
        )
        return Op("GET", _USAGE, model(UsageReportRead), query)


class Usage:
    """Requests, tokens and cost from the usage ledger (kept when logs are deleted)."""

    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def report(self, query: UsageQuery | None = None) -> UsageReportRead:
        """Sums per group (the last 30 days in the org's time zone unless ``start``/``end``)."""
        return self._t.run((query or UsageQuery()).op())


class AsyncUsage:
    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    async def report(self, query: UsageQuery | None = None) -> UsageReportRead:
        return await self._t.run((query or UsageQuery()).op())
