"""Queries over provider connections, always within one org."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.models import ProviderConnection


def connections_in_org(org_id: uuid.UUID) -> Select[ProviderConnection]:
    return select(ProviderConnection).where(ProviderConnection.org_id == org_id)


async def get_by_id(
    session: AsyncSession, org_id: uuid.UUID, connection_id: uuid.UUID
) -> ProviderConnection | None:
    stmt = connections_in_org(org_id).where(ProviderConnection.id == connection_id)
    return await session.scalar(stmt)


async def name_taken(
    session: AsyncSession, org_id: uuid.UUID, name: str, *, except_id: uuid.UUID | None = None
) -> bool:
    stmt = connections_in_org(org_id).where(ProviderConnection.name == name)
    if except_id is not None:
        stmt = stmt.where(ProviderConnection.id != except_id)
    return await session.scalar(stmt) is not None
