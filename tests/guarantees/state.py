"""What the database holds, read directly (never through the server under test), for the suites
to compare with what clients were told."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from spacegate.config import Settings
from spacegate.models import IdempotencyKey, Space
from spacegate.runtime import Runtime


def database(settings: Settings) -> str:
    return "sqlite" if settings.is_sqlite else "postgres"


async def spaces_named(runtime: Runtime, org_id: str, name: str) -> list[str]:
    async with runtime.read_sessions() as s:
        rows = await s.scalars(
            select(Space.id).where(Space.org_id == uuid.UUID(org_id), Space.name == name)
        )
        return [str(r) for r in rows]


async def space_count(runtime: Runtime, org_id: str) -> int:
    async with runtime.read_sessions() as s:
        n = await s.scalar(
            select(func.count()).select_from(Space).where(Space.org_id == uuid.UUID(org_id))
        )
    return int(n or 0)


async def claim_state(runtime: Runtime, org_id: str, key: str) -> str:
    """``absent``, ``claimed`` (in flight, nothing stored) or ``stored`` (response kept)."""
    async with runtime.read_sessions() as s:
        row = await s.scalar(
            select(IdempotencyKey).where(
                IdempotencyKey.org_id == uuid.UUID(org_id), IdempotencyKey.key == key
            )
        )
    if row is None:
        return "absent"
    return "claimed" if row.response_status is None else "stored"
