"""Queries over spaces, always within one org."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.principal import Principal
from spacegate.models import Space


def visible_spaces(principal: Principal, *, deleted: bool = False) -> Select[Space]:
    """Spaces of the caller's org the caller may see; live ones unless ``deleted``."""
    stmt = select(Space).where(Space.org_id == principal.org_id)
    stmt = stmt.where(Space.deleted_at.is_not(None) if deleted else Space.deleted_at.is_(None))
    bound = principal.bound_space_id
    if bound is not None:
        # An owner's or admin's key bound to a space sees it without being a member of it.
        stmt = stmt.where(Space.id == bound)
        if not principal.can_see_space(bound):
            stmt = stmt.where(false())
    elif not principal.org_wide:
        stmt = stmt.where(Space.id.in_(list(principal.memberships)))
    return stmt


async def get_in_org(
    session: AsyncSession, org_id: uuid.UUID, space_id: uuid.UUID, **lock: Any
) -> Space | None:
    stmt = select(Space).where(Space.org_id == org_id, Space.id == space_id)
    if lock:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)
