"""Budget windows on the org's calendar, and what the durable usage ledger says was used.

A ``day`` starts at local midnight in the org's time zone, a ``week`` on Monday, a ``month`` on
the 1st; daylight-saving changes make some days 23 or 25 hours long, as the calendar does. The
ledger (``usage_ledger``) is append-only and separate from inference logs, so deleting logs never
gives a budget back; it is keyed by space and model, not by the limit, so changing a limit does not
reset what was used.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from spacegate.models import UsageLedgerEntry

PERIODS = ("day", "week", "month")
#: Budget counters outlive their window by this much (a late settlement still finds them).
TTL_MARGIN_S = 3600


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def window(period: str, tz: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """The current window of ``period`` as ``[start, end)`` in UTC."""
    local = now.astimezone(tz)
    day = local.date()
    if period == "day":
        start, end = day, day + timedelta(days=1)
    elif period == "week":
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=7)
    elif period == "month":
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
    else:
        raise ValueError(f"unknown budget period {period!r}")
    return _midnight(start, tz), _midnight(end, tz)


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    naive = datetime.combine(day, datetime.min.time())
    return naive.replace(tzinfo=tz).astimezone(UTC)


async def used_since(
    sessions: async_sessionmaker[AsyncSession],
    org_id: uuid.UUID,
    space_id: uuid.UUID,
    model_id: uuid.UUID,
    start: datetime,
) -> tuple[int, Decimal]:
    """Tokens and spend the ledger holds for one space x model since ``start``."""
    async with sessions() as session:
        row = (
            await session.execute(
                select(
                    func.coalesce(func.sum(UsageLedgerEntry.total_tokens), 0),
                    func.coalesce(func.sum(UsageLedgerEntry.cost), 0),
                ).where(
                    UsageLedgerEntry.org_id == org_id,
                    UsageLedgerEntry.space_id == space_id,
                    UsageLedgerEntry.model_id == model_id,
                    UsageLedgerEntry.bucket_start >= start,
                )
            )
        ).one()
    return int(row[0]), Decimal(row[1])
