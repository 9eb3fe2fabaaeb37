"""Keyset pagination over time-ordered ids: a page costs the same however deep it is."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from spacegate.kit.cursors import CursorCodec, invalid_cursor

T = TypeVar("T")

#: Seed 004 documents ``after`` with a default of ``""`` (sometimes the two quote characters).
_EMPTY_CURSORS = frozenset({"", '""'})


@dataclass
class Page(Generic[T]):
    items: Sequence[T]
    has_more: bool
    next_cursor: str | None


def decode_after(codec: CursorCodec, scope: str, cursor: str | None) -> uuid.UUID | None:
    if cursor is None or cursor in _EMPTY_CURSORS:
        return None
    position = codec.decode(scope, cursor)
    try:
        return uuid.UUID(position[0])
    except (ValueError, IndexError, TypeError, AttributeError):
        raise invalid_cursor() from None


async def keyset_page(
    session: AsyncSession,
    stmt: Select[Any],
    id_column: InstrumentedAttribute[uuid.UUID],
    *,
    codec: CursorCodec,
    scope: str,
    limit: int,
    cursor: str | None,
) -> Page[Any]:
    """Run ``stmt`` (already filtered to its tenant scope) one page at a time, oldest first."""
    after = decode_after(codec, scope, cursor)
    if after is not None:
        stmt = stmt.where(id_column > after)
    rows = list((await session.scalars(stmt.order_by(id_column).limit(limit + 1))).all())
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = codec.encode(scope, [str(getattr(rows[-1], id_column.key))]) if has_more else None
    return Page(rows, has_more, next_cursor)
