"""Seed 004 "leaderboards": checkpoints ranked by a metric of their evaluations."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from spacegate.api.deps import CursorsDep, QueryDatetime, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.auth.scope import SpaceScopeDep
from spacegate.factory.leaderboards import LeaderboardService, Ranking
from spacegate.factory.tasks import Metric
from spacegate.wire.base import ListResponse
from spacegate.wire.factory.leaderboards import LeaderboardEntry

router = APIRouter(prefix="/v1/leaderboards", tags=["leaderboards"], route_class=UnitOfWorkRoute)


@router.get(
    "",
    summary="List leaderboards",
    response_model=ListResponse[LeaderboardEntry],
    responses=errors(*AUTHED, 400, 404),
)
async def list_leaderboards(
    session: SessionDep,
    scope: SpaceScopeDep,
    cursors: CursorsDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    after: Annotated[str | None, Query(max_length=512)] = None,
    model_id: Annotated[uuid.UUID | None, Query(description="A checkpoint id.")] = None,
    benchmarks: Annotated[list[uuid.UUID] | None, Query(max_length=50)] = None,
    trainings: Annotated[list[uuid.UUID] | None, Query(max_length=50)] = None,
    start_date: QueryDatetime | None = None,
    end_date: QueryDatetime | None = None,
    name: Annotated[str | None, Query(max_length=255)] = None,
    benchmark_id: Annotated[uuid.UUID | None, Query(alias="order_by_metric.benchmark_id")] = None,
    metric_name: Annotated[Metric | None, Query(alias="order_by_metric.metric_name")] = None,
    direction: Annotated[
        Literal["asc", "desc"] | None,
        Query(
            alias="order_by_metric.direction",
            description="Default desc; asc for metrics where lower is better (log_loss).",
        ),
    ] = None,
) -> Any:
    ranking = Ranking(
        model_id=model_id,
        benchmarks=tuple(benchmarks or ()),
        trainings=tuple(trainings or ()),
        start_date=start_date,
        end_date=end_date,
        name=name,
        benchmark_id=benchmark_id,
        metric_name=metric_name,
        direction=direction,
    )
    page = await LeaderboardService(session, scope, cursors).rank(ranking, limit=limit, after=after)
    return ListResponse(
        count=len(page.items), data=page.items, has_more=page.has_more, next_cursor=page.next_cursor
    )
