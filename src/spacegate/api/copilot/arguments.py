"""Seed 004 "arguments": generation, the review queue (a bare array, `page` + `page_size`), the
review workflow (PATCH) and soft delete."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from pydantic import ConfigDict, Field

from spacegate.api.copilot.deps import caller_client, end_reads
from spacegate.api.docs import AUTHED, errors
from spacegate.copilot import arguments
from spacegate.copilot.arguments import ArgumentService
from spacegate.copilot.experts import NoNul
from spacegate.models import Argument
from spacegate.resources.router import crud_router, service_dependency
from spacegate.wire.base import RequestModel, ResponseModel

ReviewStatus = Literal["pending", "waiting_review", "reviewing", "success", "failed"]
_FREE = "An object of any fields (seed 004 leaves its shape open)."


class ReviewChange(NoNul):
    """``model.ArgumentReview``: where the review goes, by whom, with what comments."""

    status: ReviewStatus | None = Field(
        default=None,
        description="pending -> waiting_review -> reviewing -> success | failed (also "
        "reviewing -> waiting_review, failed -> pending).",
    )
    reviewer: str | None = Field(default=None, max_length=200)
    comments: str | None = Field(default=None, max_length=20_000)


class ArgumentCreate(RequestModel):
    action_id: uuid.UUID = Field(description="An action of the space.")
    client: dict[str, Any] = Field(
        description='The client\'s data, or `{"persona_id": ...}` naming a persona of the space.'
    )
    product: dict[str, Any] = Field(description="`model.ProductSpec`. " + _FREE)
    insight_spec: dict[str, Any] = Field(description="`model.InsightSpec`. " + _FREE)
    model: str = Field(min_length=1, max_length=200, description="A model allowed in the space.")
    echo: bool = Field(default=False, description="Also answer the messages sent to the model.")
    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)


class ArgumentUpdate(RequestModel):
    action_id: uuid.UUID | None = None
    argument: str | None = Field(default=None, max_length=100_000)
    argument_thinking: str | None = Field(default=None, max_length=100_000)
    client: dict[str, Any] | None = None
    insight_spec: dict[str, Any] | None = None
    product: dict[str, Any] | None = None
    review: ReviewChange | None = None


class ArgumentRead(ResponseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    object_id: str = Field(alias="_id", description="The same as `id`.")
    id: uuid.UUID
    space: uuid.UUID
    action_id: uuid.UUID
    argument: str
    argument_thinking: str
    client: dict[str, Any]
    product: dict[str, Any]
    insight_spec: dict[str, Any]
    model: str | None
    duration: float = Field(description="Seconds the generation took.")
    error: str | None = Field(description="Why the model's answer could not be used.")
    review: dict[str, Any] = Field(
        description="`{status, reviewer, comments, reviewed_by, updated_at, history[]}`."
    )
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    messages: list[dict[str, Any]] | None = Field(default=None, description="With `echo`.")


def to_read(row: Argument, messages: list[dict[str, Any]] | None = None) -> ArgumentRead:
    values = {
        name: getattr(row, name)
        for name in ArgumentRead.model_fields
        if name not in ("object_id", "space", "messages")
    }
    return ArgumentRead(object_id=str(row.id), space=row.space_id, messages=messages, **values)


router = crud_router(
    ArgumentService,
    prefix="/v1/arguments",
    tag="arguments",
    create=None,
    update=ArgumentUpdate,
    read=ArgumentRead,
    ops=("get", "update", "delete"),
    to_read=to_read,
)
SvcDep = Annotated[ArgumentService, Depends(service_dependency(ArgumentService))]


@router.get(
    "",
    summary="Find all arguments",
    description="The space's arguments (not deleted), oldest first: a bare array, as seed 004 "
    "shows it.",
    responses=errors(*AUTHED, 400, 404),
)
async def list_arguments(
    svc: SvcDep,
    status: Annotated[ReviewStatus | None, Query(description="Review status filter")] = None,
    action_id: Annotated[uuid.UUID | None, Query(description="Action ID filter")] = None,
    page: Annotated[int, Query(ge=1, description="Page number")] = 1,
    page_size: Annotated[int, Query(ge=1, le=1000, description="Page size")] = 100,
) -> list[ArgumentRead]:
    rows, _total = await svc.list_offset(
        offset=(page - 1) * page_size, limit=page_size, status=status, action_id=action_id
    )
    return [to_read(r) for r in rows]


@router.post(
    "",
    status_code=201,
    summary="Create argument completion",
    description="Writes a sales argument for the action, client and product with the model "
    "(through the gateway, step type `argument`) and stores it, its review `pending`. An "
    "answer that never fits the schema is stored with its `error`.",
    responses=errors(*AUTHED, 400, 402, 404, 429, 502, 504),
)
async def create_argument(body: ArgumentCreate, request: Request, svc: SvcDep) -> ArgumentRead:
    values = body.model_dump(exclude={"echo"})
    action, messages = await svc.brief(values)
    await end_reads(svc.session)
    client = caller_client(request, svc.scope, arguments.PURPOSE)
    row = await svc.generate(client, values, action, messages)
    return to_read(row, messages if body.echo else None)
