"""Queries over one space-owned table, always inside the caller's org and space."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.scope import SpaceScope
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.errors import BadRequest
from spacegate.kit.cursors import CursorCodec
from spacegate.kit.pagination import _EMPTY_CURSORS, Page, decode_after

M = TypeVar("M", bound=SpaceOwnedMixin)


class ScopedRepository(Generic[M]):
    """Every statement it builds filters by the scope's org and space: no other rows exist."""

    def __init__(self, session: AsyncSession, scope: SpaceScope, model: type[M]) -> None:
        self.session = session
        self.scope = scope
        self.model = model

    def select(self, *where: ColumnElement[bool]) -> Select[Any]:
        m = self.model
        stmt = select(m).where(m.org_id == self.scope.org_id, m.space_id == self.scope.space_id)
        deleted_at = getattr(m, "deleted_at", None)
        if deleted_at is not None:
            stmt = stmt.where(deleted_at.is_(None))
        return stmt.where(*where) if where else stmt

    async def get_by(self, column: str, value: Any, *, lock: bool = False) -> M | None:
        stmt = self.select(getattr(self.model, column) == value)
        if lock:
            stmt = stmt.with_for_update()
        obj: M | None = await self.session.scalar(stmt)
        return obj

    async def exists(self, column: str, value: Any, *, besides: uuid.UUID | None = None) -> bool:
        stmt = self.select(getattr(self.model, column) == value)
        if besides is not None:
            stmt = stmt.where(self.model.id != besides)
        return await self.session.scalar(stmt.with_only_columns(self.model.id).limit(1)) is not None

    async def page_after(
        self,
        stmt: Select[Any],
        *,
        codec: CursorCodec,
        cursor_scope: str,
        limit: int,
        after: str | None,
    ) -> Page[M]:
        """Keyset page, oldest first. ``after`` is an opaque cursor or the id of an item of this
        list (seed 004's clients pass the last item's id); anything else is a 400 on ``after``."""
        last = await self._position(stmt, codec, cursor_scope, after)
        if last is not None:
            stmt = stmt.where(self.model.id > last)
        rows = list(
            (await self.session.scalars(stmt.order_by(self.model.id).limit(limit + 1))).all()
        )
        has_more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = codec.encode(cursor_scope, [str(rows[-1].id)]) if has_more else None
        return Page(rows, has_more, next_cursor)

    async def _position(
        self, stmt: Select[Any], codec: CursorCodec, cursor_scope: str, after: str | None
    ) -> uuid.UUID | None:
        if after is None or after in _EMPTY_CURSORS:
            return None
        try:
            item_id = uuid.UUID(after)
        except ValueError:
            return decode_after(codec, cursor_scope, after)
        found = await self.session.scalar(
            stmt.where(self.model.id == item_id).with_only_columns(self.model.id)
        )
        if found is None:
            raise BadRequest(
                f"'after' must be a cursor or the id of an item of this list: '{after}' is "
                "neither.",
                code="invalid_cursor",
                extra={"param": "after"},
            )
        return item_id

    async def page_offset(
        self, stmt: Select[Any], *, offset: int, limit: int
    ) -> tuple[Sequence[M], int]:
        """Offset page (seed 003's ``skip``, seed 004's ``page``) and the total count."""
        total = await self.session.scalar(
            select(func.count()).select_from(stmt.order_by(None).subquery())
        )
        rows = (
            await self.session.scalars(stmt.order_by(self.model.id).offset(offset).limit(limit))
        ).all()
        return rows, int(total or 0)

    def add(self, obj: M) -> None:
        self.session.add(obj)

    async def delete(self, obj: M) -> None:
        await self.session.delete(obj)
