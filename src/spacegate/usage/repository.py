"""Sums over the usage ledger, always within one org, aggregated in SQL.

The ledger holds one row per space x model x key x quarter hour per metering batch. Grouping by
a calendar day happens in the caller's time zone, which SQL cannot do the same way on SQLite and
PostgreSQL; so when days are wanted the database sums to the quarter hour (``bucket_start``) and
the service folds quarter hours into local days. Quarter hours never straddle a local midnight:
every real time zone's offset is a multiple of 15 minutes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.models import UsageLedgerEntry

#: Ledger columns behind the ``group_by`` dimensions other than ``day``.
COLUMNS: dict[str, Any] = {
    "model": UsageLedgerEntry.model_id,
    "space": UsageLedgerEntry.space_id,
    "api_key": UsageLedgerEntry.api_key_id,
}


@dataclass(frozen=True)
class LedgerScope:
    """Which ledger rows count: the org, a ``[start, end)`` range of quarter-hour starts and the
    spaces, models and key to keep (``None``: no restriction; an empty list: nothing)."""

    org_id: uuid.UUID
    start: datetime
    end: datetime
    space_ids: Sequence[uuid.UUID] | None = None
    model_ids: Sequence[uuid.UUID] | None = None
    api_key_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Sums:
    """One group: ``bucket`` when summed per quarter hour, ``keys`` in the order asked for."""

    bucket: datetime | None
    keys: tuple[uuid.UUID | None, ...]
    requests: int
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost: Decimal


def _where(scope: LedgerScope) -> list[ColumnElement[bool]]:
    e = UsageLedgerEntry
    clauses = [e.org_id == scope.org_id, e.bucket_start >= scope.start, e.bucket_start < scope.end]
    for column, ids in ((e.space_id, scope.space_ids), (e.model_id, scope.model_ids)):
        if ids is not None:
            clauses.append(column.in_(list(ids)) if ids else false())
    if scope.api_key_id is not None:
        clauses.append(e.api_key_id == scope.api_key_id)
    return clauses


async def sums(
    session: AsyncSession, scope: LedgerScope, dims: Sequence[str], *, per_bucket: bool
) -> list[Sums]:
    """The ledger summed per ``dims`` (and per quarter hour when ``per_bucket``)."""
    e = UsageLedgerEntry
    groups = ([e.bucket_start] if per_bucket else []) + [COLUMNS[d] for d in dims]
    totals = (
        func.coalesce(func.sum(e.requests), 0),
        func.coalesce(func.sum(e.input_tokens), 0),
        func.coalesce(func.sum(e.output_tokens), 0),
        func.coalesce(func.sum(e.total_tokens), 0),
        func.coalesce(func.sum(e.cost), 0),
    )
    stmt = select(*groups, *totals).where(*_where(scope))
    if groups:
        stmt = stmt.group_by(*groups)
    out = []
    for row in await session.execute(stmt):
        values = tuple(row)
        bucket = values[0] if per_bucket else None
        keys = values[1 if per_bucket else 0 : len(groups)]
        requests, prompt, completion, total, cost = values[len(groups) :]
        if not groups and not requests:
            continue  # no rows at all: an empty report, not one group of zeros
        out.append(
            Sums(
                bucket=bucket,
                keys=tuple(keys),
                requests=int(requests),
                prompt_tokens=int(prompt),
                completion_tokens=int(completion),
                total_tokens=int(total),
                cost=Decimal(str(cost)),  # SQLite hands back a float
            )
        )
    return out


__all__ = ["COLUMNS", "LedgerScope", "Sums", "sums"]
