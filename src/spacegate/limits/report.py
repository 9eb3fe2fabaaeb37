"""What a caller may still use in its space: each entitled model's limits, used and left.

Rates (``rpm`` / ``tpm``) are read from the limiter without taking anything; budgets from the
durable usage ledger for the current window of the org's calendar (usage is written there a few
tens of milliseconds after a call ends).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.principal import Principal
from spacegate.entitlements.schemas import EntitlementView
from spacegate.entitlements.service import EntitlementService
from spacegate.kit.clock import utcnow
from spacegate.kit.cursors import CursorCodec
from spacegate.limits import budgets
from spacegate.limits.backends import RateItem
from spacegate.limits.gcra import Rate
from spacegate.limits.service import LimitService

_MAX_MODELS = 1000


@dataclass(frozen=True, slots=True)
class RateUsage:
    limit: int
    used: int
    left: int
    resets_at: datetime


@dataclass(frozen=True, slots=True)
class BudgetUsage:
    limit: Decimal
    period: str
    used: Decimal
    left: Decimal
    window_start: datetime
    resets_at: datetime


@dataclass(frozen=True, slots=True)
class ModelUsage:
    view: EntitlementView
    limits: dict[str, Any]
    rates: dict[str, RateUsage]
    budgets: dict[str, BudgetUsage]


@dataclass(frozen=True, slots=True)
class KeyUsage:
    rates: dict[str, RateUsage]
    max_concurrency: int | None


class UsageReport:
    def __init__(
        self,
        session: AsyncSession,
        principal: Principal,
        cursors: CursorCodec,
        limits: LimitService,
    ) -> None:
        self.principal = principal
        self.limits = limits
        self.entitlements = EntitlementService(session, principal, cursors)

    async def models(self, space_id: uuid.UUID) -> list[ModelUsage]:
        views: list[EntitlementView] = []
        cursor: str | None = None
        while len(views) < _MAX_MODELS:
            page = await self.entitlements.list_page(
                space_id, limit=100, cursor=cursor, enabled_only=True
            )
            views += [v for v in page.items if v.model.enabled]
            if not page.has_more:
                break
            cursor = page.next_cursor
        views.sort(key=lambda v: v.model.alias)
        org_id = self.principal.org_id
        tz = budgets.zone((await self.limits.org_profile(org_id)).timezone)
        now = utcnow()
        out = []
        for view in views:
            ent = view.entitlement
            limits = dict(ent.workspace_limits or {})
            rates = await self._rates(
                now, ("e", ent.id), {"rpm": limits.get("rpm"), "tpm": limits.get("tpm")}
            )
            spent: dict[str, BudgetUsage] = {}
            for name, kind in (("token_budget", 0), ("cost_budget", 1)):
                spec = limits.get(name)
                if not isinstance(spec, dict):
                    continue
                start, end = budgets.window(str(spec["period"]), tz, now)
                used = (
                    await budgets.used_since(
                        self.limits.runtime.read_sessions, org_id, space_id, view.model.id, start
                    )
                )[kind]
                limit = Decimal(str(spec["limit"]))
                spent[name] = BudgetUsage(
                    limit,
                    str(spec["period"]),
                    Decimal(used),
                    max(limit - used, Decimal(0)),
                    start,
                    end,
                )
            out.append(ModelUsage(view, limits, rates, spent))
        return out

    async def key(self) -> KeyUsage:
        p = self.principal
        kl = await self.limits.key_limits(p.org_id, p.api_key_id)
        rates = await self._rates(utcnow(), ("k", p.api_key_id), {"rpm": kl.rpm, "tpm": kl.tpm})
        return KeyUsage(rates, kl.max_concurrency)

    async def _rates(
        self, now: datetime, owner: tuple[str, uuid.UUID], wanted: dict[str, Any]
    ) -> dict[str, RateUsage]:
        names = [n for n, v in wanted.items() if isinstance(v, int) and v > 0]
        if not names:
            return {}
        org_id = self.principal.org_id
        items = [
            RateItem(self.limits.key(org_id, *owner, n), Rate(wanted[n], 60), 0) for n in names
        ]
        outcome = await self.limits.peek(items)
        result = {}
        for name, state in zip(names, outcome.rates, strict=False):
            limit = int(wanted[name])
            left = min(state.remaining, limit)
            result[name] = RateUsage(
                limit, limit - left, left, now + timedelta(seconds=state.reset_after)
            )
        return result
