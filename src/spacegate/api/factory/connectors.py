"""Seed 004 "connectors": S3-compatible buckets, their files, and schema scans."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from spacegate.api.deps import CursorsDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.platform.providers import CredentialRoute, get_provider_edge
from spacegate.auth.scope import SpaceScopeDep
from spacegate.factory import scan as _scan
from spacegate.factory.connectors import DEFAULT_FILES, MAX_FILES, ConnectorEdge, ConnectorService
from spacegate.jobs import enqueue
from spacegate.resources.router import crud_router
from spacegate.wire.base import RequestModel, ResponseModel


class S3Config(RequestModel):
    """Seed 004's ``request.S3Config``. The keys are stored encrypted and never returned."""

    bucket: str = Field(min_length=3, max_length=255)
    region: str = Field(default="us-east-1", min_length=1, max_length=64)
    endpoint_url: str | None = Field(
        default=None,
        max_length=2048,
        description="An S3-compatible server other than AWS (http or https, public address).",
    )
    prefix: str | None = Field(default=None, max_length=1024)
    access_key_id: str = Field(min_length=1, max_length=256)
    secret_access_key: str = Field(min_length=1, max_length=1024)


class ConnectorCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    type: Literal["aws-s3"]
    s3: S3Config


class ConnectorRead(ResponseModel):
    id: uuid.UUID
    name: str
    provider: str
    region: str
    status: str
    created_by: uuid.UUID | None
    created_at: datetime
    bucket: str
    prefix: str
    endpoint_url: str | None
    scan: dict[str, Any] = Field(description="The latest scan: status and each file's schema.")


class ScanRequest(RequestModel):
    files: list[str] = Field(min_length=1, max_length=100)


class ScanStarted(BaseModel):
    id: uuid.UUID = Field(description="The scan's job (see /v1/jobs/{id}).")
    connector_id: uuid.UUID
    status: str
    files: list[str]


class FileInfo(BaseModel):
    key: str
    size: int
    last_modified: str
    etag: str


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
