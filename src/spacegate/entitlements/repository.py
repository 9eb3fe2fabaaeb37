"""Queries over entitlements, always within one org and one space."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.models import Entitlement


def in_space(
    org_id: uuid.UUID, space_id: uuid.UUID, *, enabled_only: bool = False
) -> Select[Entitlement]:
    """The space's entitlements; the (org_id, space_id, id) index serves it in keyset order."""
    stmt = select(Entitlement).where(Entitlement.org_id == org_id, Entitlement.space_id == space_id)
    if enabled_only:
        stmt = stmt.where(Entitlement.enabled.is_(True))
    return stmt


async def count_in_space(
    session: AsyncSession, org_id: uuid.UUID, space_id: uuid.UUID, *, enabled_only: bool = False
) -> int:
    stmt = select(func.count()).select_from(
        in_space(org_id, space_id, enabled_only=enabled_only).subquery()
    )
    return int(await session.scalar(stmt) or 0)


async def get(
    session: AsyncSession,
    org_id: uuid.UUID,
    space_id: uuid.UUID,
    model_id: uuid.UUID,
    *,
    lock: bool = False,
) -> Entitlement | None:
    stmt = in_space(org_id, space_id).where(Entitlement.model_id == model_id)
    if lock:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def default_of(
    session: AsyncSession, org_id: uuid.UUID, space_id: uuid.UUID, *, lock: bool = False
) -> Entitlement | None:
    stmt = in_space(org_id, space_id).where(Entitlement.is_default.is_(True))
    if lock:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)
