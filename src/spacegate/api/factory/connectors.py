"""Seed 004 "connectors": S3-compatible buckets, their files, and schema scans."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from spacegate.api.deps import CursorsDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.platform.providers import CredentialRoute, get_provider_edge
from spacegate.auth.scope import SpaceScopeDep
from spacegate.factory import scan as _scan
from spacegate.factory.connectors import ConnectorEdge, ConnectorService
from spacegate.jobs import enqueue
from spacegate.resources.router import crud_router
from spacegate.wire.factory.connectors import (
    DEFAULT_FILES,
    MAX_FILES,
    ConnectorCreate,
    ConnectorRead,
    FileInfo,
    ScanRequest,
    ScanStarted,
)

router = APIRouter(prefix="/v1/connectors", tags=["connectors"], route_class=CredentialRoute)
ConnectorId = Annotated[uuid.UUID, Path(description="Connector ID")]


def _svc(
    session: SessionDep,
    scope: SpaceScopeDep,
    cursors: CursorsDep,
    edge: Annotated[ConnectorEdge, Depends(get_provider_edge)],
) -> ConnectorService:
    return ConnectorService(session, scope, cursors).bound(edge)


Svc = Annotated[ConnectorService, Depends(_svc)]


@router.post(
    "",
    status_code=201,
    summary="Create connector",
    response_model=ConnectorRead,
    responses=errors(*AUTHED, 400, 404, 409),
)
async def create_connector(body: ConnectorCreate, svc: Svc) -> Any:
    return await svc.create(body.model_dump())


@router.get(
    "/{id}/files",
    summary="List files in a connector (S3)",
    response_model=list[FileInfo],
    responses=errors(*AUTHED, 404),
)
async def list_files(
    svc: Svc,
    id: ConnectorId,
    prefix: Annotated[str | None, Query(max_length=1024, description="File prefix filter")] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_FILES, description=f"Files to return (1-{MAX_FILES}).")
    ] = DEFAULT_FILES,
) -> Any:
    return await svc.files(id, prefix, limit)


@router.post(
    "/{id}/scan",
    status_code=202,
    summary="Scan connector",
    response_model=ScanStarted,
    responses=errors(*AUTHED, 404),
)
async def scan_connector(body: ScanRequest, svc: Svc, id: ConnectorId) -> ScanStarted:
    connector = await svc.get(id, permission="update", lock=True)
    job = enqueue(
        svc.session,
        kind=_scan.KIND,
        principal=svc.scope.principal,
        space_id=svc.scope.space_id,
        subject_id=connector.id,
        payload={"files": body.files},
    )
    await svc.session.flush()
    connector.status = "scanning"
    connector.scan = {"job_id": str(job.id), "status": "queued", "files": {}, "errors": {}}
    return ScanStarted(id=job.id, connector_id=connector.id, status="queued", files=body.files)


crud_router(
    ConnectorService,
    prefix="/v1/connectors",
    tag="connectors",
    create=None,
    update=None,
    read=ConnectorRead,
    ops=("list", "get", "delete"),
    router=router,
)
