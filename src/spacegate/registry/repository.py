"""Queries over the model registry, always within one org."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.models import Entitlement, ModelTarget, RegisteredModel


def models_in_org(org_id: uuid.UUID) -> Select[RegisteredModel]:
    return select(RegisteredModel).where(RegisteredModel.org_id == org_id)


async def get_by_id(
    session: AsyncSession, org_id: uuid.UUID, model_id: uuid.UUID
) -> RegisteredModel | None:
    return await session.scalar(models_in_org(org_id).where(RegisteredModel.id == model_id))


async def get_by_alias(
    session: AsyncSession, org_id: uuid.UUID, alias: str
) -> RegisteredModel | None:
    return await session.scalar(models_in_org(org_id).where(RegisteredModel.alias == alias))


async def targets_of(
    session: AsyncSession, org_id: uuid.UUID, model_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[ModelTarget]]:
    """Targets per model, in the order the ``priority`` strategy tries them."""
    ids = list(model_ids)
    out: dict[uuid.UUID, list[ModelTarget]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = await session.scalars(
        select(ModelTarget)
        .where(ModelTarget.org_id == org_id, ModelTarget.model_id.in_(ids))
        .order_by(ModelTarget.model_id, ModelTarget.priority, ModelTarget.id)
    )
    for t in rows:
        out[t.model_id].append(t)
    return out


async def connection_in_use(
    session: AsyncSession, org_id: uuid.UUID, connection_id: uuid.UUID
) -> bool:
    stmt = select(
        exists().where(ModelTarget.org_id == org_id, ModelTarget.connection_id == connection_id)
    )
    return bool(await session.scalar(stmt))


async def entitlement_count(session: AsyncSession, org_id: uuid.UUID, model_id: uuid.UUID) -> int:
    stmt = select(func.count()).where(
        Entitlement.org_id == org_id, Entitlement.model_id == model_id
    )
    return int(await session.scalar(stmt) or 0)


async def entitlements_of(
    session: AsyncSession, org_id: uuid.UUID, model_id: uuid.UUID
) -> list[Entitlement]:
    rows = await session.scalars(
        select(Entitlement).where(Entitlement.org_id == org_id, Entitlement.model_id == model_id)
    )
    return list(rows)
