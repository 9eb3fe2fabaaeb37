"""Reading inference logs (seed 004): filtered pages and their summary, for what the caller sees."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, String, case, cast, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.principal import Principal
from spacegate.errors import Forbidden, Unprocessable
from spacegate.kit.clock import as_utc, utcnow
from spacegate.models import InferenceLog

DEFAULT_SUMMARY_DAYS = 30
SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")


@dataclass
class LogFilters:
    start_date: datetime | None = None
    end_date: datetime | None = None
    user: uuid.UUID | None = None
    model: str | None = None
    status: str | None = None
    type: str | None = None
    tag: str | None = None
    correlation_id: str | None = None
    space_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    #: True: only calls Spacegate refused itself; False: only calls that reached a provider.
    refused: bool | None = None
    error_code: str | None = None


@dataclass
class Summary:
    total_calls: int
    success_rate: float
    avg_latency_ms: float
    input_tokens: int
    output_tokens: int
    total_tokens: int
    model_usage: dict[str, dict[str, int]] = field(default_factory=dict)
    refused_calls: int = 0
    refusals: dict[str, int] = field(default_factory=dict)
    period_start_date: datetime | None = None
    period_end_date: datetime | None = None


class InferenceLogService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def _scoped(self, stmt: SelectT, f: LogFilters) -> SelectT:
        p = self.principal
        if not p.has("inference-logs:list") and not any(
            p.has("inference-logs:list", s) for s in p.memberships
        ):
            raise Forbidden("Missing permission 'inference-logs:list'.", code="permission_denied")
        stmt = stmt.where(InferenceLog.org_id == p.org_id)
        if f.space_id is not None and not p.can_see_space(f.space_id):
            stmt = stmt.where(false())  # a space you cannot see has no logs for you
        if f.space_id is not None:
            stmt = stmt.where(InferenceLog.space_id == f.space_id)
        if p.bound_space_id is not None:
            stmt = stmt.where(InferenceLog.space_id == p.bound_space_id)
        elif not p.org_wide:
            visible = [s for s in p.memberships if p.has("inference-logs:list", s)]
            stmt = stmt.where(InferenceLog.space_id.in_(visible))
        if f.start_date and f.end_date and as_utc(f.start_date) > as_utc(f.end_date):
            raise Unprocessable("start_date must not be after end_date.", code="invalid_period")
        if f.start_date is not None:
            stmt = stmt.where(InferenceLog.created_at >= as_utc(f.start_date))
        if f.end_date is not None:
            stmt = stmt.where(InferenceLog.created_at <= as_utc(f.end_date))
        if f.user is not None:
            stmt = stmt.where(InferenceLog.user_id == f.user)
        if f.model is not None:
            stmt = stmt.where(InferenceLog.model == f.model)
        if f.status is not None:
            stmt = stmt.where(InferenceLog.status == f.status)
        if f.type is not None:
            stmt = stmt.where(InferenceLog.type == f.type)
        if f.correlation_id is not None:
            stmt = stmt.where(InferenceLog.correlation_id == f.correlation_id)
        if f.refused is not None:
            stmt = stmt.where(InferenceLog.refused.is_(f.refused))
        if f.error_code is not None:
            stmt = stmt.where(InferenceLog.error_code == f.error_code)
        if f.api_key_id is not None:  # within the org (above): another org's key matches nothing
            stmt = stmt.where(InferenceLog.api_key_id == f.api_key_id)
        if f.tag is not None:
            # Tags are stored as a JSON array; match the quoted element in its text form, which
            # works the same on SQLite and PostgreSQL.
            needle = '"' + f.tag.replace("\\", "\\\\").replace('"', '\\"') + '"'
            escaped = needle.replace("!", "!!").replace("%", "!%").replace("_", "!_")
            stmt = stmt.where(cast(InferenceLog.tags, String).like(f"%{escaped}%", escape="!"))
        return stmt

    async def page(
        self, f: LogFilters, *, page: int, page_size: int
    ) -> tuple[list[InferenceLog], bool]:
        stmt = self._scoped(select(InferenceLog), f).order_by(
            InferenceLog.created_at.desc(), InferenceLog.id.desc()
        )
        rows = list(
            (
                await self.session.scalars(stmt.offset((page - 1) * page_size).limit(page_size + 1))
            ).all()
        )
        return rows[:page_size], len(rows) > page_size

    async def summary(self, f: LogFilters) -> Summary:
        if f.start_date is None and f.end_date is None:
            f.end_date = utcnow()
            f.start_date = f.end_date - timedelta(days=DEFAULT_SUMMARY_DAYS)
        success = case((InferenceLog.status == "success", 1), else_=0)
        refused = case((InferenceLog.refused.is_(True), 1), else_=0)
        totals = (
            await self.session.execute(
                self._scoped(
                    select(
                        func.count(InferenceLog.id),
                        func.coalesce(func.sum(success), 0),
                        func.coalesce(func.avg(InferenceLog.latency_ms), 0.0),
                        func.coalesce(func.sum(InferenceLog.prompt_tokens), 0),
                        func.coalesce(func.sum(InferenceLog.completion_tokens), 0),
                        func.coalesce(func.sum(InferenceLog.total_tokens), 0),
                        func.coalesce(func.sum(refused), 0),
                    ),
                    f,
                )
            )
        ).one()
        refusals = await self.session.execute(
            self._scoped(
                select(InferenceLog.error_code, func.count(InferenceLog.id)).where(
                    InferenceLog.refused.is_(True)
                ),
                f,
            ).group_by(InferenceLog.error_code)
        )
        per_model = await self.session.execute(
            self._scoped(
                select(
                    InferenceLog.model,
                    func.count(InferenceLog.id),
                    func.coalesce(func.sum(InferenceLog.prompt_tokens), 0),
                    func.coalesce(func.sum(InferenceLog.completion_tokens), 0),
                    func.coalesce(func.sum(InferenceLog.total_tokens), 0),
                ),
                f,
            ).group_by(InferenceLog.model)
        )
        calls = int(totals[0])
        return Summary(
            total_calls=calls,
            success_rate=round(int(totals[1]) / calls, 6) if calls else 0.0,
            avg_latency_ms=round(float(totals[2]), 3),
            input_tokens=int(totals[3]),
            output_tokens=int(totals[4]),
            total_tokens=int(totals[5]),
            model_usage={
                str(m): {
                    "calls": int(c),
                    "input_tokens": int(i),
                    "output_tokens": int(o),
                    "total_tokens": int(t),
                }
                for m, c, i, o, t in per_model
            },
            refused_calls=int(totals[6]),
            refusals={str(code): int(n) for code, n in refusals},
            period_start_date=as_utc(f.start_date) if f.start_date else None,
            period_end_date=as_utc(f.end_date) if f.end_date else None,
        )


__all__ = ["InferenceLogService", "LogFilters", "Summary"]
