"""Seed 003 "datasets" (``skip`` + ``limit`` -> ``{items, total, skip, limit}``), their types
and search; the wire schemas are ``spacegate.wire.syft.datasets``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

import spacegate.rag.ingest_job as _job  # noqa: F401  (registers the ingestion job)
from spacegate.api.deps import CursorsDep, RuntimeDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.api.syft.paths import both
from spacegate.auth.scope import SpaceScope, SpaceScopeDep
from spacegate.gateway.inprocess import model_client
from spacegate.models import Dataset
from spacegate.rag import dtypes
from spacegate.rag.datasets import DatasetService
from spacegate.rag.search import search_dataset
from spacegate.resources.router import crud_router
from spacegate.wire.base import IdResponse
from spacegate.wire.syft.datasets import (
    DatasetCreate,
    DatasetRead,
    DatasetType,
    DatasetUpdate,
    SearchHit,
    SearchRequest,
    SearchResponse,
)


def to_read(row: Dataset) -> DatasetRead:
    data = {c: getattr(row, c) for c in DatasetRead.model_fields if hasattr(row, c)}
    data["ingestion"] = row.__dict__.get("ingestion") or {
        "status": "empty",
        "documents": dict.fromkeys(
            ("total", "queued", "running", "ready", "failed", "cancelled"), 0
        ),
        "chunks": 0,
    }
    return DatasetRead.model_validate(data)


def service(
    session: SessionDep, scope: SpaceScope, cursors: CursorsDep, runtime: RuntimeDep
) -> DatasetService:
    settings = runtime.settings
    return DatasetService(
        session, scope, cursors, roots=list(settings.dataset_roots), data_dir=settings.data_dir
    )


router = APIRouter(prefix="/api/v1/datasets", tags=["datasets"], route_class=UnitOfWorkRoute)
Name = Annotated[str, Path(description="Dataset name")]


@both(router, "GET", "/types/", summary="List dataset types", responses=errors(*AUTHED))
async def dataset_types(scope: SpaceScopeDep) -> list[DatasetType]:
    scope.require("datasets:list")
    return [
        DatasetType(
            name=t["dtype"], description=t["description"], config_schema=t["configuration_schema"]
        )
        for t in dtypes.types()
    ]


@both(
    router,
    "POST",
    "/",
    status_code=201,
    summary="Create dataset",
    responses=errors(*AUTHED, 400, 404, 409),
)
async def create_dataset(
    body: DatasetCreate,
    session: SessionDep,
    scope: SpaceScopeDep,
    cursors: CursorsDep,
    runtime: RuntimeDep,
) -> DatasetRead:
    svc = service(session, scope, cursors, runtime)
    return to_read(await svc.create(body.model_dump()))


@both(
    router,
    "PATCH",
    "/{name:dataset_name}",
    summary="Update dataset",
    responses=errors(*AUTHED, 400, 404, 409),
)
async def update_dataset(
    name: Name,
    body: DatasetUpdate,
    session: SessionDep,
    scope: SpaceScopeDep,
    cursors: CursorsDep,
    runtime: RuntimeDep,
) -> DatasetRead:
    svc = service(session, scope, cursors, runtime)
    return to_read(await svc.update(name, body.model_dump(exclude_unset=True)))


@both(router, "POST", "/{name}/search", summary="Search dataset", responses=errors(*AUTHED, 404))
async def search(
    request: Request,
    name: Name,
    body: SearchRequest,
    session: SessionDep,
    scope: SpaceScopeDep,
    cursors: CursorsDep,
    runtime: RuntimeDep,
) -> SearchResponse:
    """Ranked chunks: lexical (BM25 / full-text) always; with the dataset's embedding model
    also by vector (the query embedded through the gateway, step type ``source_query``),
    fused by reciprocal rank."""
    dataset = await service(session, scope, cursors, runtime).get(name)
    models = model_client(request.app.state.gateway, scope.principal, scope.space_id, purpose="rag")
    hits = await search_dataset(
        session,
        dataset,
        body.query,
        limit=body.limit,
        similarity_threshold=body.similarity_threshold,
        models=models,
    )
    return SearchResponse(query=body.query, documents=[SearchHit.model_validate(h) for h in hits])


@both(
    router,
    "DELETE",
    "/{name:dataset_name}",
    summary="Delete dataset",
    responses=errors(*AUTHED, 404),
)
async def delete_dataset(
    name: Name, session: SessionDep, scope: SpaceScopeDep, cursors: CursorsDep, runtime: RuntimeDep
) -> IdResponse:
    """Deletes the dataset with its documents, chunks, vectors and stored files."""
    obj = await service(session, scope, cursors, runtime).delete(name)
    return IdResponse(id=str(obj.id))


crud_router(
    DatasetService,
    prefix="/api/v1/datasets",
    tag="datasets",
    create=None,
    update=None,
    read=DatasetRead,
    ops=("list", "get"),
    trailing_slash=True,
    to_read=to_read,
    router=router,
)
