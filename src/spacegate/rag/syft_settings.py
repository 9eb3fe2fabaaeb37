"""Seed 003 settings: the org's public URL (shown wherever an endpoint's address is) and whether
its catalogue of published endpoints is on. Admins only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.principal import Principal
from spacegate.errors import Forbidden
from spacegate.kit.clock import utcnow
from spacegate.models import SyftSettings

ADMIN = "orgs:update"


class SyftSettingsService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def _require_admin(self) -> None:
        if not self.principal.has(ADMIN):
            raise Forbidden(
                f"Missing permission '{ADMIN}': settings are the org's admins'.",
                code="permission_denied",
            )

    async def _row(self, *, lock: bool = False) -> SyftSettings | None:
        stmt = select(SyftSettings).where(SyftSettings.org_id == self.principal.org_id)
        if lock:
            stmt = stmt.with_for_update()
        row: SyftSettings | None = await self.session.scalar(stmt)
        return row

    # -- what other services read (no permission of their own) --------------------------------

    async def public_url(self) -> str | None:
        row = await self._row()
        return row.public_url if row is not None else None

    async def catalogue_enabled(self) -> bool:
        row = await self._row()
        return row.catalogue_enabled if row is not None else True

    # -- the settings routes --------------------------------------------------------------------

    async def read(self) -> dict[str, Any]:
        self._require_admin()
        row = await self._row()
        return {
            "public_url": row.public_url if row else None,
            "catalogue_enabled": row.catalogue_enabled if row else True,
            "updated_at": row.updated_at if row else None,
        }

    async def update(self, changes: dict[str, Any]) -> dict[str, Any]:
        self._require_admin()
        row = await self._row(lock=True)
        if row is None:
            row = SyftSettings(org_id=self.principal.org_id)
            self.session.add(row)
        if "public_url" in changes:
            url = changes["public_url"]
            row.public_url = url.rstrip("/") if url else None
        if changes.get("catalogue_enabled") is not None:
            row.catalogue_enabled = changes["catalogue_enabled"]
        row.updated_at = utcnow()
        await self.session.flush()
        return await self.read()
