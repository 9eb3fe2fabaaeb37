"""Seed 003 endpoints (``/api/v1/endpoints/``): CRUD by slug, publishing, the query, and the
org's catalogue of published endpoints (``/api/v1/catalogue/``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from spacegate.api.deps import CursorsDep, SessionDep
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.api.syft.common import document_every_path, responses, route
from spacegate.api.syft.query import router as query_router
from spacegate.auth.dependencies import PrincipalDep
from spacegate.auth.scope import SpaceScopeDep
from spacegate.rag import catalogue
from spacegate.rag.endpoints import EndpointService
from spacegate.resources.router import crud_router
from spacegate.wire.syft.endpoints import (
    CataloguePage,
    EndpointCreate,
    EndpointFilters,
    EndpointRead,
    EndpointUpdate,
)


def to_read(obj: Any) -> EndpointRead:
    view = obj.view
    return EndpointRead(
        id=obj.id,
        name=obj.name,
        slug=obj.slug,
        description=obj.description,
        summary=obj.summary,
        tags=obj.tags,
        dataset_id=obj.dataset_id,
        model_id=obj.model_id,
        response_type=obj.response_type,
        published=obj.published,
        published_at=obj.published_at,
        url=view["url"],
        model=view["model"],
        policies=view["policies"],
        created_at=obj.created_at,
        updated_at=obj.updated_at,
    )


router = APIRouter(prefix="/api/v1/endpoints", tags=["syft endpoints"], route_class=UnitOfWorkRoute)
SlugKey = Annotated[str, Path(alias="slug", description="Endpoint slug")]


@router.post(
    "/{slug}/publish",
    summary="Publish endpoint",
    responses=responses(404),
    response_model=EndpointRead,
)
async def publish(
    slug: SlugKey, session: SessionDep, scope: SpaceScopeDep, cursors: CursorsDep
) -> Any:
    return to_read(await EndpointService(session, scope, cursors).set_published(slug, True))


@router.delete(
    "/{slug}/unpublish",
    summary="Unpublish endpoint",
    responses=responses(404),
    response_model=EndpointRead,
)
async def unpublish(
    slug: SlugKey, session: SessionDep, scope: SpaceScopeDep, cursors: CursorsDep
) -> Any:
    return to_read(await EndpointService(session, scope, cursors).set_published(slug, False))


crud_router(
    EndpointService,
    prefix="/api/v1/endpoints",
    tag="syft endpoints",
    create=EndpointCreate,
    update=EndpointUpdate,
    read=EndpointRead,
    filters=EndpointFilters,
    trailing_slash=True,
    to_read=to_read,
    router=router,
)
document_every_path(router)
router.include_router(query_router)

catalogue_router = APIRouter(
    prefix="/api/v1/catalogue", tags=["syft endpoints"], route_class=UnitOfWorkRoute
)
Skip = Annotated[int, Query(ge=0, description="Items to skip.")]
Limit = Annotated[int, Query(ge=1, le=1000, description="Items to return (1-1000).")]


@route(
    catalogue_router,
    "GET",
    "",
    summary="The org's published endpoints",
    responses=responses(),
    response_model=CataloguePage,
)
async def list_catalogue(
    session: SessionDep, principal: PrincipalDep, skip: Skip = 0, limit: Limit = 100
) -> Any:
    return await catalogue.page(session, principal, skip=skip, limit=limit)
