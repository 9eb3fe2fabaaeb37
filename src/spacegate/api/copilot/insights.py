"""Seed 004 "insights"."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from spacegate.api.copilot.deps import caller_client, end_reads
from spacegate.api.deps import CursorsDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.auth.scope import SpaceScopeDep
from spacegate.copilot import insights
from spacegate.wire.base import RequestModel

router = APIRouter(prefix="/v1/insights", tags=["insights"], route_class=UnitOfWorkRoute)


class InsightCreate(RequestModel):
    actions: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=50,
        description="The actions to choose among (all active); none: the space's active ones.",
    )
    client: str | None = Field(
        default=None,
        max_length=100_000,
        description="A persona id of the space, or the client's data as text.",
    )
    model: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Default: the first action's model_id, else the space's default model.",
    )
    echo: bool = Field(default=False, description="Also answer the messages sent to the model.")
    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)


class InsightRead(BaseModel):
    id: str
    actions: str = Field(description="The id of the chosen action.")
    insight: str
    thinking: str
    argument: str
    argument_content: str
    argument_thinking: str
    best_channel: str = Field(description="One of the chosen action's channels.")
    best_time: str
    timeliness: str
    type: str = Field(description="The chosen action's type.")
    model: str | None
    finish_reason: str | None
    usage: dict[str, int]
    elapsed_time_in_seconds: float
    error: str | None
    messages: list[dict[str, Any]] | None = Field(default=None, description="With `echo`.")


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
