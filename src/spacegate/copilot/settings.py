"""A space's copilot settings: the guard's categories, the guard's and router's models, the
guard's deadline and the history window; a space that never set them has the defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.scope import SpaceScope
from spacegate.kit.clock import utcnow
from spacegate.models import CopilotSettings
from spacegate.resources import ScopedRepository

#: Financial-services compliance risks first (NeoSpace's supervisor categories), then the usual
#: safety ones.
DEFAULT_GUARD_CATEGORIES: tuple[str, ...] = (
    "money laundering",
    "fraud and identity fraud",
    "corruption",
    "tax evasion",
    "suspicious operations",
    "privacy breaches",
    "discrimination",
    "violence",
    "self-harm",
    "sexual content involving minors",
    "hate speech",
    "weapons",
    "illegal drugs",
    "malware and hacking",
)
DEFAULT_GUARD_TIMEOUT = 30.0


@dataclass(frozen=True)
class Effective:
    """The settings a turn uses (stored values, or the defaults)."""

    guard_categories: tuple[str, ...] = DEFAULT_GUARD_CATEGORIES
    guard_model: str | None = None
    router_model: str | None = None
    guard_timeout_seconds: float = DEFAULT_GUARD_TIMEOUT
    window_max_tokens: int | None = None

    def wire(self) -> dict[str, Any]:
        return {
            "guard_categories": list(self.guard_categories),
            "guard_model": self.guard_model,
            "router_model": self.router_model,
            "guard_timeout_seconds": self.guard_timeout_seconds,
            "window_max_tokens": self.window_max_tokens,
        }


class CopilotSettingsService:
    def __init__(self, session: AsyncSession, scope: SpaceScope) -> None:
        self.scope = scope
        self.session = session
        self.repo = ScopedRepository(session, scope, CopilotSettings)

    async def _row(self, *, lock: bool = False) -> CopilotSettings | None:
        stmt = self.repo.select()
        if lock:
            stmt = stmt.with_for_update()
        row: CopilotSettings | None = await self.session.scalar(stmt)
        return row

    async def effective(self) -> Effective:
        """What turns use; no permission beyond the turn's own (``chat:create``)."""
        row = await self._row()
        if row is None:
            return Effective()
        return Effective(
            guard_categories=tuple(row.guard_categories or DEFAULT_GUARD_CATEGORIES),
            guard_model=row.guard_model,
            router_model=row.router_model,
            guard_timeout_seconds=row.guard_timeout_seconds,
            window_max_tokens=row.window_max_tokens,
        )

    async def read(self) -> Effective:
        self.scope.require("settings:get")
        return await self.effective()

    async def update(self, changes: dict[str, Any]) -> Effective:
        self.scope.require("settings:update")
        row = await self._row(lock=True)
        if row is None:
            row = CopilotSettings(
                org_id=self.scope.org_id,
                space_id=self.scope.space_id,
                created_by=self.scope.principal.user_id,
                guard_timeout_seconds=DEFAULT_GUARD_TIMEOUT,
            )
            self.repo.add(row)
        for name, value in changes.items():
            if name == "guard_timeout_seconds" and value is None:
                value = DEFAULT_GUARD_TIMEOUT
            setattr(row, name, value)
        row.updated_at = utcnow()
        await self.session.flush()
        return await self.effective()
