"""Seed 004 "clusters", by space: the caller's space has at most one."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import Field

from spacegate.api.deps import RuntimeDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.platform.providers import get_resolver
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.auth.scope import SpaceScopeDep
from spacegate.factory.clusters.service import ClusterEdge, ClusterService
from spacegate.kit import ssrf
from spacegate.kit.crypto import cipher_for
from spacegate.models import Cluster
from spacegate.wire.base import IdResponse, RequestModel, ResponseModel

router = APIRouter(prefix="/v1/clusters", tags=["clusters"], route_class=UnitOfWorkRoute)

Url = Annotated[str, Field(min_length=1, max_length=2048)]


class ClusterCreate(RequestModel):
    ingress_url: Url = Field(description="Where the cluster serves models (Ray Serve).")
    manager_url: Url = Field(
        description="The Ray dashboard, whose Job Submission API runs the space's work."
    )
    name: str = Field(default="", max_length=200)
    token: str | None = Field(
        default=None, max_length=4096, description="Sent to the cluster; stored encrypted."
    )


class ClusterUpdate(RequestModel):
    ingress_url: Url | None = None
    manager_url: Url | None = None
    name: str | None = Field(default=None, max_length=200)
    token: str | None = Field(default=None, max_length=4096)


class ClusterRead(ResponseModel):
    id: uuid.UUID
    name: str
    ingress_url: str
    manager_url: str
    token: str | None = Field(description="A hint of the token (it is never returned).")
    created_at: datetime
    updated_at: datetime


class ClusterLive(ResponseModel):
    id: uuid.UUID
    name: str
    inference: dict[str, Any] = Field(description="What the cluster serves (Ray Serve apps).")
    ingress: dict[str, Any]
    nodes: list[dict[str, Any]] = Field(description="Each node: alive, CPU, GPU, memory.")
    resources: dict[str, Any] = Field(description="Total and available CPU, GPU, memory.")
    ray_version: str | None


def get_edge(
    request: Request, runtime: RuntimeDep, resolver: Annotated[ssrf.Resolver, Depends(get_resolver)]
) -> ClusterEdge:
    settings = runtime.settings
    return ClusterEdge(
        http=request.app.state.gateway.http,
        cipher=cipher_for(settings.resolved_secret_key),
        allow_private_networks=settings.allow_private_networks,
        resolver=resolver,
    )


EdgeDep = Annotated[ClusterEdge, Depends(get_edge)]


def _svc(session: SessionDep, scope: SpaceScopeDep, edge: EdgeDep) -> ClusterService:
    return ClusterService(session, scope, edge)


Svc = Annotated[ClusterService, Depends(_svc)]


def _read(cluster: Cluster) -> ClusterRead:
    return ClusterRead(
        id=cluster.id,
        name=cluster.name,
        ingress_url=cluster.ingress_url,
        manager_url=cluster.manager_url,
        token=cluster.token_hint,
        created_at=cluster.created_at,
        updated_at=cluster.updated_at,
    )


@router.post(
    "", status_code=201, summary="Create cluster", responses=errors(*AUTHED, 400, 404, 409)
)
async def create_cluster(body: ClusterCreate, svc: Svc) -> ClusterRead:
    return _read(await svc.create(body.model_dump()))


@router.get("", summary="Get cluster", responses=errors(*AUTHED, 400, 404))
async def get_cluster(svc: Svc) -> ClusterLive:
    cluster = await svc.get()
    live = await svc.live(cluster)
    return ClusterLive(id=cluster.id, name=cluster.name, **live)


@router.patch("", summary="Update cluster", responses=errors(*AUTHED, 400, 404))
async def update_cluster(body: ClusterUpdate, svc: Svc) -> ClusterRead:
    return _read(await svc.update(body.model_dump(exclude_unset=True)))


@router.delete("", summary="Delete cluster", responses=errors(*AUTHED, 400, 404))
async def delete_cluster(svc: Svc) -> IdResponse:
    return IdResponse(id=str((await svc.delete()).id))
