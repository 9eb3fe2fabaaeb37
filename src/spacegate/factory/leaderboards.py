"""Leaderboards: a space's checkpoints ranked by a metric of their evaluations.

With ``order_by_metric.benchmark_id`` the score is the metric on that benchmark; without it,
the metric's mean over every benchmark that measured it. A checkpoint without the metric ranks
last. ``direction`` defaults to ``desc``, except for metrics where lower is better (log_loss),
which default to ``asc``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.scope import SpaceScope
from spacegate.errors import BadRequest
from spacegate.factory.tasks import LOWER_IS_BETTER
from spacegate.kit.cursors import CursorCodec
from spacegate.kit.pagination import _EMPTY_CURSORS, Page, decode_after
from spacegate.models import Checkpoint, Evaluation, Training
from spacegate.resources import ScopedRepository


@dataclass(frozen=True)
class Ranking:
    model_id: uuid.UUID | None = None
    benchmarks: tuple[uuid.UUID, ...] = ()
    trainings: tuple[uuid.UUID, ...] = ()
    start_date: datetime | None = None
    end_date: datetime | None = None
    name: str | None = None
    benchmark_id: uuid.UUID | None = None
    metric_name: str | None = None
    direction: str | None = None


class LeaderboardService:
    def __init__(self, session: AsyncSession, scope: SpaceScope, cursors: CursorCodec) -> None:
        self.session, self.scope, self.cursors = session, scope, cursors
        self.checkpoints = ScopedRepository(session, scope, Checkpoint)
        self.evaluations = ScopedRepository(session, scope, Evaluation)

    async def rank(self, r: Ranking, *, limit: int, after: str | None) -> Page[dict[str, Any]]:
        self.scope.require("leaderboards:list")
        entries = await self._entries(r)
        direction = r.direction or ("asc" if r.metric_name in LOWER_IS_BETTER else "desc")
        scored = [e for e in entries if e["score"] is not None]
        unscored = [e for e in entries if e["score"] is None]
        scored.sort(key=lambda e: (e["score"], e["checkpoint_id"]), reverse=direction == "desc")
        ranked = scored + sorted(unscored, key=lambda e: e["checkpoint_id"])
        for n, e in enumerate(ranked):
            e["rank"] = n + 1 if e["score"] is not None or r.metric_name is None else None
        start = self._start(ranked, after)
        page = ranked[start : start + limit]
        has_more = start + limit < len(ranked)
        cursor = (
            self.cursors.encode(self._cursor_scope(), [str(page[-1]["checkpoint_id"])])
            if has_more and page
            else None
        )
        return Page(page, has_more, cursor)

    def _cursor_scope(self) -> str:
        return f"leaderboard:{self.scope.space_id}"

    def _start(self, ranked: list[dict[str, Any]], after: str | None) -> int:
        if after is None or after in _EMPTY_CURSORS:
            return 0
        try:
            last = uuid.UUID(after)
        except ValueError:
            last = decode_after(self.cursors, self._cursor_scope(), after)  # type: ignore[assignment]
        for n, e in enumerate(ranked):
            if e["checkpoint_id"] == last:
                return n + 1
        raise BadRequest(
            f"'after' must be a cursor or the id of an item of this list: '{after}' is neither.",
            code="invalid_cursor",
            extra={"param": "after"},
        )

    async def _entries(self, r: Ranking) -> list[dict[str, Any]]:
        stmt = self.checkpoints.select()
        if r.model_id is not None:
            stmt = stmt.where(Checkpoint.id == r.model_id)
        if r.trainings:
            stmt = stmt.where(Checkpoint.training_id.in_(r.trainings))
        if r.start_date is not None:
            stmt = stmt.where(Checkpoint.created_at >= r.start_date)
        if r.end_date is not None:
            stmt = stmt.where(Checkpoint.created_at <= r.end_date)
        if r.name:
            stmt = stmt.where(func.lower(Checkpoint.name).contains(r.name.lower()))
        checkpoints = list((await self.session.scalars(stmt.order_by(Checkpoint.id))).all())
        if not checkpoints:
            return []
        names = dict(
            (
                await self.session.execute(
                    select(Training.id, Training.name).where(
                        Training.id.in_({c.training_id for c in checkpoints})
                    )
                )
            ).all()
        )
        evals = self.evaluations.select(
            Evaluation.checkpoint_id.in_([c.id for c in checkpoints]),
            Evaluation.status == "succeeded",
        )
        if r.benchmarks:
            evals = evals.where(Evaluation.benchmark_id.in_(r.benchmarks))
        results: dict[uuid.UUID, dict[str, dict[str, Any]]] = {}
        for e in (await self.session.scalars(evals.order_by(Evaluation.id))).all():
            # The latest evaluation of a checkpoint on a benchmark stands.
            results.setdefault(e.checkpoint_id, {})[str(e.benchmark_id)] = {
                "evaluation_id": str(e.id),
                **e.result,
            }
        return [
            self._entry(c, names.get(c.training_id), results.get(c.id, {}), r) for c in checkpoints
        ]

    def _entry(
        self,
        c: Checkpoint,
        training_name: str | None,
        results: dict[str, dict[str, Any]],
        r: Ranking,
    ) -> dict[str, Any]:
        score: float | None = None
        if r.metric_name:
            values = [
                res.get(r.metric_name)
                for bench, res in results.items()
                if r.benchmark_id is None or bench == str(r.benchmark_id)
            ]
            numbers = [float(v) for v in values if isinstance(v, (int, float))]
            score = sum(numbers) / len(numbers) if numbers else None
        return {
            "checkpoint_id": c.id,
            "name": c.name,
            "training_id": c.training_id,
            "training_name": training_name,
            "architecture": c.architecture,
            "step": c.step,
            "created_at": c.created_at,
            "score": score,
            "metric_name": r.metric_name,
            "results": results,
        }
