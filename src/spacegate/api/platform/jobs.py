"""Background jobs of the caller's space: progress, cancel, retry."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path

from spacegate.api.deps import CursorsDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.auth.scope import SpaceScopeDep
from spacegate.jobs import cancel, retry
from spacegate.models import Job
from spacegate.resources import ResourceService, ResourceSpec
from spacegate.resources.router import crud_router
from spacegate.wire.platform.jobs import JobFilters, JobRead


class JobService(ResourceService[Job]):  # type: ignore[type-var]
    model = Job
    spec = ResourceSpec(label="Job", permission="jobs", name="job")


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
