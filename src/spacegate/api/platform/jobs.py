"""Background jobs of the caller's space: progress, cancel, retry."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel

from spacegate.api.deps import CursorsDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.auth.scope import SpaceScopeDep
from spacegate.jobs import cancel, retry
from spacegate.models import Job
from spacegate.resources import ResourceService, ResourceSpec
from spacegate.resources.router import crud_router
from spacegate.wire.base import ResponseModel

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]


class JobService(ResourceService[Job]):  # type: ignore[type-var]
    model = Job
    spec = ResourceSpec(label="Job", permission="jobs", name="job")


class JobFilters(BaseModel):
    kind: str | None = None
    status: JobStatus | None = None
    subject_id: uuid.UUID | None = None


class JobRead(ResponseModel):
    id: uuid.UUID
    kind: str
    status: JobStatus
    subject_id: uuid.UUID | None
    progress: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    attempts: int
    max_attempts: int
    cancel_requested: bool
    created_by: uuid.UUID | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


router = APIRouter(prefix="/v1/jobs", tags=["jobs"], route_class=UnitOfWorkRoute)
JobId = Annotated[uuid.UUID, Path(description="Job ID")]


def _svc(session: SessionDep, scope: SpaceScopeDep, cursors: CursorsDep) -> JobService:
    return JobService(session, scope, cursors)


@router.post("/{id}/cancel", summary="Cancel a job", responses=errors(*AUTHED, 404))
async def cancel_job(
    id: JobId, session: SessionDep, scope: SpaceScopeDep, cursors: CursorsDep
) -> JobRead:
    job = await _svc(session, scope, cursors).get(id, permission="update", lock=True)
    return JobRead.model_validate(await cancel(session, job))


@router.post("/{id}/retry", summary="Retry a failed job", responses=errors(*AUTHED, 404, 409))
async def retry_job(
    id: JobId, session: SessionDep, scope: SpaceScopeDep, cursors: CursorsDep
) -> JobRead:
    job = await _svc(session, scope, cursors).get(id, permission="update", lock=True)
    return JobRead.model_validate(await retry(session, job))


crud_router(
    JobService,
    prefix="/v1/jobs",
    tag="jobs",
    create=None,
    update=None,
    read=JobRead,
    filters=JobFilters,
    ops=("list", "get"),
    router=router,
)
