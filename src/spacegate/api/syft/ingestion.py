"""Seed 003 ingestion progress of a dataset (by id, as Syft Space names it): status, its jobs
(``limit`` + ``offset``), and start / stop / retry."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from spacegate.api.deps import CursorsDep, RuntimeDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.api.syft.datasets import service
from spacegate.api.syft.paths import both
from spacegate.auth.scope import SpaceScopeDep
from spacegate.rag import operations
from spacegate.wire.syft.datasets import IngestionJob, IngestionJobs, IngestionStatus

router = APIRouter(
    prefix="/api/v1/ingestion/datasets", tags=["ingestion"], route_class=UnitOfWorkRoute
)
DatasetId = Annotated[uuid.UUID, Path(alias="id", description="Dataset id")]
JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]


def _status(dataset: Any) -> IngestionStatus:
    return IngestionStatus.model_validate(
        {**dataset.__dict__["ingestion"], "dataset_id": dataset.id, "name": dataset.name}
    )


@both(router, "GET", "/{id}/status", summary="Get ingestion status", responses=errors(*AUTHED, 404))
async def ingestion_status(
    dataset_id: DatasetId,
    session: SessionDep,
    scope: SpaceScopeDep,
    cursors: CursorsDep,
    runtime: RuntimeDep,
) -> IngestionStatus:
    return _status(await service(session, scope, cursors, runtime).by_id(dataset_id))


@both(router, "GET", "/{id}/jobs", summary="List ingestion jobs", responses=errors(*AUTHED, 404))
async def ingestion_jobs(
    dataset_id: DatasetId,
    session: SessionDep,
    scope: SpaceScopeDep,
    cursors: CursorsDep,
    runtime: RuntimeDep,
    status: Annotated[JobStatus | None, Query(description="Only jobs in this state.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Items to return (1-1000).")] = 100,
    offset: Annotated[int, Query(ge=0, description="Items to skip.")] = 0,
) -> IngestionJobs:
    dataset = await service(session, scope, cursors, runtime).by_id(dataset_id)
    rows, total = await operations.dataset_jobs(
        session, dataset.id, status=status, limit=limit, offset=offset
    )
    items = [
        IngestionJob(
            id=job.id,
            document_id=job.subject_id,
            filename=filename,
            status=job.status,
            progress=dict(job.progress or {}),
            error=job.error,
            attempts=job.attempts,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )
        for job, filename in rows
    ]
    return IngestionJobs(items=items, total=total, limit=limit, offset=offset)


def _action(name: str, doc: str) -> None:
    async def act(
        dataset_id: DatasetId,
        session: SessionDep,
        scope: SpaceScopeDep,
        cursors: CursorsDep,
        runtime: RuntimeDep,
    ) -> IngestionStatus:
        svc = service(session, scope, cursors, runtime)
        dataset = await svc.by_id(dataset_id, permission="update")
        await getattr(operations, name)(session, scope, dataset)
        return _status(await svc.by_id(dataset_id, permission="update"))

    act.__name__ = f"{name}_ingestion"
    both(
        router,
        "POST",
        f"/{{id}}/{name}",
        summary=f"{name.capitalize()} ingestion",
        description=doc,
        responses=errors(*AUTHED, 404),
    )(act)


_action("start", "Indexes every document of the dataset again (a changed file, a new model).")
_action("stop", "Cancels the dataset's queued jobs; running ones stop at their next step.")
_action("retry", "Queues the failed and cancelled documents again.")
