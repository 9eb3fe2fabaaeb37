"""Usage reports over the ledger, for what the caller may see.

Scoped like inference logs: org owners and admins see the whole org, everyone else the spaces
where they hold ``usage:read``, a space-bound key its space. A filter naming a space or model the
caller cannot see matches nothing (it is not an error: it has no usage for them).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.principal import Principal
from spacegate.errors import Forbidden, NotFound, Unprocessable
from spacegate.kit.clock import as_utc, utcnow, zone_named
from spacegate.kit.cursors import CursorCodec
from spacegate.orgs.service import OrgService
from spacegate.registry.service import RegistryService
from spacegate.usage import repository as repo

#: ``group_by`` dimensions, in the order rows and their fields list them.
DIMENSIONS = ("day", "model", "space", "api_key")
DEFAULT_DAYS = 30
MAX_DAYS = 366
PERMISSION = "usage:read"


@dataclass
class UsageQuery:
    start: datetime | None = None
    end: datetime | None = None
    group_by: Sequence[str] = ()
    space_id: uuid.UUID | None = None
    model: str | None = None
    api_key_id: uuid.UUID | None = None
    tz: str | None = None


@dataclass
class UsageTotals:
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cost: Decimal = Decimal(0)

    def add(self, s: UsageTotals | repo.Sums) -> None:
        self.requests += s.requests
        self.prompt_tokens += s.prompt_tokens
        self.completion_tokens += s.completion_tokens
        self.total_tokens += s.total_tokens
        self.cost += s.cost


@dataclass
class UsageRow(UsageTotals):
    day: date | None = None
    model: str | None = None
    model_id: uuid.UUID | None = None
    space_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None


@dataclass
class UsageReport:
    start: datetime
    end: datetime
    tz: str
    group_by: list[str]
    data: list[UsageRow] = field(default_factory=list)
    totals: UsageTotals = field(default_factory=UsageTotals)


def parse_group_by(value: str | Sequence[str] | None) -> list[str]:
    """``"day,model"`` (or a list of names) as dimensions in canonical order; 422 if unknown."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    wanted = {v.strip() for v in items if v and v.strip()}
    if unknown := sorted(wanted - set(DIMENSIONS)):
        raise Unprocessable(
            f"Unknown group_by {', '.join(repr(u) for u in unknown)}; "
            f"use a comma-separated list of {', '.join(DIMENSIONS)}.",
            code="invalid_group_by",
        )
    return [d for d in DIMENSIONS if d in wanted]


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=tz).astimezone(UTC)


class UsageService:
    def __init__(self, session: AsyncSession, principal: Principal, cursors: CursorCodec) -> None:
        self.session = session
        self.principal = principal
        self.cursors = cursors

    def _visible_spaces(self) -> list[uuid.UUID] | None:
        """The spaces whose usage the caller sees (None: the whole org); 403 for none at all."""
        p = self.principal
        if p.bound_space_id is not None:
            bound = p.bound_space_id
            if not p.has(PERMISSION, bound):
                raise Forbidden(f"Missing permission '{PERMISSION}'.", code="permission_denied")
            return [bound]
        if p.org_wide and p.has(PERMISSION):
            return None
        visible = [s for s in p.memberships if p.has(PERMISSION, s)]
        if not visible and not p.has(PERMISSION):
            raise Forbidden(f"Missing permission '{PERMISSION}'.", code="permission_denied")
        return visible

    async def _model_ids(self, ref: str) -> list[uuid.UUID]:
        """A model by id (even one since deleted: its usage stays) or by its current alias."""
        ids = []
        with contextlib.suppress(ValueError):
            ids.append(uuid.UUID(ref))
        try:
            found = await RegistryService(
                self.session, self.principal, self.cursors
            ).get_model_by_alias(ref)
            ids.append(found.id)
        except NotFound:
            pass
        return ids

    def _period(self, q: UsageQuery, tz: ZoneInfo) -> tuple[datetime, datetime]:
        end = as_utc(q.end) if q.end is not None else utcnow()
        if q.start is not None:
            start = as_utc(q.start)
        else:  # the last 30 calendar days in the zone, today included
            first = end.astimezone(tz).date() - timedelta(days=DEFAULT_DAYS - 1)
            start = local_midnight(first, tz)
        if start > end:
            raise Unprocessable("start must not be after end.", code="invalid_period")
        if end - start > timedelta(days=MAX_DAYS):
            raise Unprocessable(
                f"The period may span at most {MAX_DAYS} days; narrow start and end.",
                code="period_too_long",
            )
        return start, end

    async def report(self, q: UsageQuery) -> UsageReport:
        spaces = self._visible_spaces()
        dims = parse_group_by(q.group_by)
        tz_name = q.tz or None
        if tz_name is None:
            org = await OrgService(self.session, self.principal).get(self.principal.org_id)
            tz_name = org.timezone or "UTC"
        tz = zone_named(tz_name)
        start, end = self._period(q, tz)
        if q.space_id is not None:
            spaces = [q.space_id] if spaces is None or q.space_id in spaces else []
        models = await self._model_ids(q.model) if q.model is not None else None
        scope = repo.LedgerScope(
            org_id=self.principal.org_id,
            start=start,
            end=end,
            space_ids=spaces,
            model_ids=models,
            api_key_id=q.api_key_id,
        )
        keyed = [d for d in dims if d != "day"]
        report = UsageReport(start=start, end=end, tz=tz_name, group_by=dims)
        rows: dict[tuple[object, ...], UsageRow] = {}
        for s in await repo.sums(self.session, scope, keyed, per_bucket="day" in dims):
            day = s.bucket.astimezone(tz).date() if s.bucket is not None else None
            row = rows.get((day, *s.keys))
            if row is None:
                values = dict(zip(keyed, s.keys, strict=True))
                row = rows[(day, *s.keys)] = UsageRow(
                    day=day,
                    model_id=values.get("model"),
                    space_id=values.get("space"),
                    api_key_id=values.get("api_key"),
                )
            row.add(s)
            report.totals.add(s)
        report.data = sorted(rows.values(), key=_order)
        await self._name_models(report.data)
        return report

    async def _name_models(self, rows: list[UsageRow]) -> None:
        ids = list({r.model_id for r in rows if r.model_id is not None})
        registry = RegistryService(self.session, self.principal, self.cursors)
        models = await registry.get_models(ids)
        for r in rows:
            if r.model_id is not None and r.model_id in models:
                r.model = models[r.model_id].alias


def _order(r: UsageRow) -> tuple[object, ...]:
    """Oldest day first; within a day the biggest users first; ties by id, so stable."""
    ids = tuple(str(x or "") for x in (r.model_id, r.space_id, r.api_key_id))
    return (r.day or date.min, -r.total_tokens, -r.requests, *ids)


__all__ = [
    "DIMENSIONS",
    "MAX_DAYS",
    "UsageQuery",
    "UsageReport",
    "UsageRow",
    "UsageService",
    "parse_group_by",
]
