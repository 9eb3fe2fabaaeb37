"""Seed 004 "arguments": generation, the review queue (a bare array, `page` + `page_size`), the
review workflow (PATCH) and soft delete."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from spacegate.api.copilot.deps import caller_client, end_reads
from spacegate.api.docs import AUTHED, errors
from spacegate.copilot import arguments
from spacegate.copilot.arguments import ArgumentService
from spacegate.models import Argument
from spacegate.resources.router import crud_router, service_dependency
from spacegate.wire.copilot.arguments import (
    ArgumentCreate,
    ArgumentRead,
    ArgumentUpdate,
    ReviewStatus,
)


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
