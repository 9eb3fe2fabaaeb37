"""The org's catalogue: the published endpoints of every space the caller may query in."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.principal import Principal
from spacegate.models import RagEndpoint, Space
from spacegate.rag.endpoints import query_path
from spacegate.rag.syft_settings import SyftSettingsService

QUERY = "endpoints:query"


def _visible(principal: Principal) -> list[uuid.UUID] | None:
    """The spaces whose endpoints the caller may query (None: every space of the org)."""
    if principal.bound_space_id is not None:
        bound = principal.bound_space_id
        return [bound] if principal.has(QUERY, bound) else []
    if principal.org_wide and principal.has(QUERY):
        return None
    return [s for s in principal.memberships if principal.has(QUERY, s)]


async def page(
    session: AsyncSession, principal: Principal, *, skip: int, limit: int
) -> dict[str, Any]:
    settings = SyftSettingsService(session, principal)
    empty = {"items": [], "total": 0, "skip": skip, "limit": limit}
    if not await settings.catalogue_enabled():
        return empty
    spaces = _visible(principal)
    if spaces == []:
        return empty
    stmt = (
        select(RagEndpoint, Space.name)
        .join(Space, Space.id == RagEndpoint.space_id)
        .where(
            RagEndpoint.org_id == principal.org_id,
            RagEndpoint.published.is_(True),
            Space.deleted_at.is_(None),
        )
    )
    if spaces is not None:
        stmt = stmt.where(RagEndpoint.space_id.in_(spaces))
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await session.execute(stmt.order_by(RagEndpoint.id).offset(skip).limit(limit))
    base = await settings.public_url() or ""
    items = [
        {
            "id": e.id,
            "name": e.name,
            "slug": e.slug,
            "summary": e.summary,
            "description": e.description,
            "tags": e.tags,
            "response_type": e.response_type,
            "space_id": e.space_id,
            "space_name": space_name,
            "published_at": e.published_at,
            "url": base + query_path(e.slug),
        }
        for e, space_name in rows
    ]
    return {"items": items, "total": int(total or 0), "skip": skip, "limit": limit}
