"""Seed 004 "insights"."""

from __future__ import annotations

from fastapi import APIRouter, Request

from spacegate.api.copilot.deps import caller_client, end_reads
from spacegate.api.deps import CursorsDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.auth.scope import SpaceScopeDep
from spacegate.copilot import insights
from spacegate.wire.copilot.insights import InsightCreate, InsightRead

router = APIRouter(prefix="/v1/insights", tags=["insights"], route_class=UnitOfWorkRoute)


@router.post(
    "",
    summary="Create Insight",
    description="The model (through the gateway, step type `insight`) chooses among the given "
    "active actions the one for the client, its channel and its time, and drafts the argument.",
    responses=errors(*AUTHED, 400, 402, 404, 429, 502, 504),
)
async def create_insight(
    body: InsightCreate,
    request: Request,
    session: SessionDep,
    scope: SpaceScopeDep,
    cursors: CursorsDep,
) -> InsightRead:
    given = await insights.gather(session, scope, cursors, body.actions, body.client)
    await end_reads(session)
    wire = await insights.generate(
        caller_client(request, scope, insights.PURPOSE),
        given,
        model=body.model,
        echo=body.echo,
        max_tokens=body.max_tokens,
        temperature=body.temperature,
        top_p=body.top_p,
    )
    return InsightRead.model_validate(wire)
