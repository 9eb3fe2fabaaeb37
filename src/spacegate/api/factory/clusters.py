"""Seed 004 "clusters", by space: the caller's space has at most one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from spacegate.api.deps import RuntimeDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.platform.providers import get_resolver
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.auth.scope import SpaceScopeDep
from spacegate.factory.clusters.service import ClusterEdge, ClusterService
from spacegate.kit import ssrf
from spacegate.kit.crypto import cipher_for
from spacegate.models import Cluster
from spacegate.wire.base import IdResponse
from spacegate.wire.factory.clusters import (
    ClusterCreate,
    ClusterLive,
    ClusterRead,
    ClusterUpdate,
)

router = APIRouter(prefix="/v1/clusters", tags=["clusters"], route_class=UnitOfWorkRoute)


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
