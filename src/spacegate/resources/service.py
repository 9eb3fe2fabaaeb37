"""Rules every plain resource shares: scoped, permission-checked, 404 for the unseen, 409 for
a duplicate; a subclass adds its own checks in ``validate``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.scope import SpaceScope
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.errors import Conflict, NotFound, Unprocessable
from spacegate.kit.clock import utcnow
from spacegate.kit.cursors import CursorCodec
from spacegate.kit.pagination import Page
from spacegate.resources.repository import ScopedRepository
from spacegate.resources.spec import ResourceSpec

M = TypeVar("M", bound=SpaceOwnedMixin)


class ResourceService(Generic[M]):
    model: ClassVar[type[Any]]
    spec: ClassVar[ResourceSpec]

    def __init__(self, session: AsyncSession, scope: SpaceScope, cursors: CursorCodec) -> None:
        self.session = session
        self.scope = scope
        self.cursors = cursors
        self.repo: ScopedRepository[M] = ScopedRepository(session, scope, self.model)

    # -- hooks ----------------------------------------------------------------------------

    async def validate(self, values: dict[str, Any], current: M | None) -> dict[str, Any]:
        """Check (and complete) the values of a create (``current`` None) or an update; raise
        an ``AppError`` naming the field on a refusal. The default accepts them as they are."""
        return values

    def filtered(self, stmt: Select[Any], filters: dict[str, Any]) -> Select[Any]:
        for name, value in filters.items():
            if value is not None:
                stmt = stmt.where(getattr(self.model, name) == value)
        return stmt

    # -- operations -----------------------------------------------------------------------

    def not_found(self, ident: object) -> NotFound:
        label = self.spec.label
        return NotFound(f"{label} '{ident}' not found", code=f"{self.spec.name}_not_found")

    async def get(self, ident: Any, *, permission: str = "get", lock: bool = False) -> M:
        self.scope.require(self.spec.permission_for(permission))
        obj = await self.repo.get_by(self.spec.key, ident, lock=lock)
        if obj is None:
            raise self.not_found(ident)
        return obj

    async def list_after(self, *, limit: int, after: str | None, **filters: Any) -> Page[M]:
        self.scope.require(self.spec.permission_for("list"))
        return await self.repo.page_after(
            self.filtered(self.repo.select(), filters),
            codec=self.cursors,
            cursor_scope=f"{self.spec.name}:{self.scope.space_id}",
            limit=limit,
            after=after,
        )

    async def list_offset(
        self, *, offset: int, limit: int, **filters: Any
    ) -> tuple[Sequence[M], int]:
        self.scope.require(self.spec.permission_for("list"))
        stmt = self.filtered(self.repo.select(), filters)
        return await self.repo.page_offset(stmt, offset=offset, limit=limit)

    async def create(self, values: dict[str, Any]) -> M:
        self.scope.require(self.spec.permission_for("create"))
        values = await self.validate(values, None)
        await self._check_unique(values, None)
        obj = self.model(
            org_id=self.scope.org_id,
            space_id=self.scope.space_id,
            created_by=self.scope.principal.user_id,
            **values,
        )
        self.repo.add(obj)
        await self.session.flush()
        return obj  # type: ignore[no-any-return]

    async def update(self, ident: Any, changes: dict[str, Any]) -> M:
        obj = await self.get(ident, permission="update", lock=True)
        columns = self.model.__table__.c
        for name, value in changes.items():
            if value is None and name in columns and not columns[name].nullable:
                raise Unprocessable(
                    f"'{name}' cannot be null.", code="null_not_allowed", extra={"param": name}
                )
        changes = await self.validate(changes, obj)
        await self._check_unique(changes, obj)
        for name, value in changes.items():
            setattr(obj, name, value)
        obj.updated_at = utcnow()
        await self.session.flush()
        return obj

    async def delete(self, ident: Any) -> M:
        obj = await self.get(ident, permission="delete", lock=True)
        if hasattr(obj, "deleted_at"):
            obj.deleted_at = utcnow()
        else:
            await self.repo.delete(obj)
        await self.session.flush()
        return obj

    async def _check_unique(self, values: dict[str, Any], current: M | None) -> None:
        for column in self.spec.unique:
            if column not in values:
                continue
            besides = current.id if current is not None else None
            if await self.repo.exists(column, values[column], besides=besides):
                raise Conflict(
                    f"A {self.spec.label.lower()} with {column} '{values[column]}' already "
                    "exists in this space.",
                    code=f"{self.spec.name}_exists",
                )
