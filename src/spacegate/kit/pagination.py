"""Keyset pagination over time-ordered ids: a page costs the same however deep it is."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from spacegate.errors import BadRequest
from spacegate.kit.cursors import CursorCodec, invalid_cursor

T = TypeVar("T")

#: Seed 004 documents ``after`` with a default of ``""`` (sometimes the two quote characters).
_EMPTY_CURSORS = frozenset({"", '""'})


@dataclass
class Page(Generic[T]):
    items: Sequence[T]
    has_more: bool
    next_cursor: str | None


def decode_after(
    codec: CursorCodec, scope: str, cursor: str | None, *, param: str = "after"
) -> uuid.UUID | None:
    """The id a page continues after: from an opaque cursor, or an item id a client passed.

    Seed 004's clients have nothing but the last item's ``id`` to pass as ``after``; a signed
    cursor is never a bare UUID (it is longer), so the two cannot be confused.
    """
    if cursor is None or cursor in _EMPTY_CURSORS:
        return None
    item_id = _as_item_id(cursor)
    if item_id is not None:
        return item_id
    try:
        return uuid.UUID(codec.decode(scope, cursor)[0])
    except (BadRequest, ValueError, IndexError, TypeError, AttributeError):
        raise invalid_cursor(param) from None


def _as_item_id(value: str) -> uuid.UUID | None:
    if len(value) != _UUID_LEN:  # the hyphenated form only: what the lists answer as ``id``
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


_UUID_LEN = 36


async def keyset_page(
    session: AsyncSession,
    stmt: Select[Any],
    id_column: InstrumentedAttribute[uuid.UUID],
    *,
    codec: CursorCodec,
    scope: str,
    limit: int,
    cursor: str | None,
    param: str = "after",
) -> Page[Any]:
    """Run ``stmt`` (already filtered to its tenant scope) one page at a time, oldest first.

    ``param`` names the query parameter that carried ``cursor``, for the 400 of a bad one.
    """
    after = decode_after(codec, scope, cursor, param=param)
    if after is not None:
        if cursor is not None and _as_item_id(cursor) is not None:
            await _require_listed(session, stmt, id_column, after, param)
        stmt = stmt.where(id_column > after)
    rows = list((await session.scalars(stmt.order_by(id_column).limit(limit + 1))).all())
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = codec.encode(scope, [str(getattr(rows[-1], id_column.key))]) if has_more else None
    return Page(rows, has_more, next_cursor)


async def _require_listed(
    session: AsyncSession,
    stmt: Select[Any],
    id_column: InstrumentedAttribute[uuid.UUID],
    item_id: uuid.UUID,
    param: str,
) -> None:
    """An id passed as ``after`` must be one of this list's items (never another org's row)."""
    probe = stmt.with_only_columns(id_column).where(id_column == item_id).limit(1)
    if await session.scalar(probe) is None:
        raise invalid_cursor(param)
