"""Seed 003 models (``/api/v1/models/``): the space's views on the org's model registry."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field, StringConstraints

from spacegate.api.deps import CursorsDep, SessionDep
from spacegate.api.platform.providers import ProviderEdgeDep
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.api.syft.common import document_every_path, responses, route
from spacegate.auth.dependencies import PrincipalDep
from spacegate.auth.scope import SpaceScopeDep
from spacegate.rag.syft_models import DEFAULT_BASE_URL, DEFAULT_MODEL, SyftModelService
from spacegate.resources.router import crud_router
from spacegate.wire.base import RequestModel, ResponseModel

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=10_000)]


class SyftModelConfig(RequestModel):
    api_key: Annotated[str, StringConstraints(min_length=1, max_length=4096)] | None = Field(
        default=None, description="Stored encrypted in the org's registry; never returned."
    )
    base_url: Annotated[str, StringConstraints(min_length=1, max_length=2048)] | None = Field(
        default=None, description=f"OpenAI-compatible API (default `{DEFAULT_BASE_URL}`)."
    )
    model: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description=f"Upstream model name (default `{DEFAULT_MODEL}`)."
    )
    system_prompt: Annotated[str, StringConstraints(max_length=20_000)] | None = None


class SyftModelCreate(RequestModel):
    name: Name
    dtype: Literal["openai"] = "openai"
    configuration: SyftModelConfig | None = None
    tenant_model_id: uuid.UUID | None = Field(
        default=None,
        description="View an existing registry model instead of registering one from "
        "`configuration` (whose `system_prompt` still applies).",
    )
    summary: Text = ""
    tags: Annotated[str, StringConstraints(max_length=1000)] = ""


class SyftModelUpdate(RequestModel):
    name: Name | None = None
    summary: Text | None = None
    tags: Annotated[str, StringConstraints(max_length=1000)] | None = None
    configuration: SyftModelConfig | None = None


class ConfigurationRead(BaseModel):
    api_key: str | None = Field(description="A masked hint of the stored key.")
    base_url: str | None
    model: str | None
    system_prompt: str | None


class ConnectedEndpoint(BaseModel):
    id: uuid.UUID
    name: str
    slug: str


class SyftModelRead(ResponseModel):
    id: uuid.UUID
    name: str
    dtype: str
    configuration: ConfigurationRead
    summary: str
    tags: str
    tenant_model_id: uuid.UUID
    alias: str | None = Field(description="The registry alias the gateway knows it by.")
    connected_endpoints: list[ConnectedEndpoint]
    created_at: datetime
    updated_at: datetime


def to_read(obj: Any) -> SyftModelRead:
    view = obj.view
    return SyftModelRead(
        id=obj.id,
        name=obj.name,
        dtype=obj.dtype,
        configuration=ConfigurationRead(**view["configuration"]),
        summary=obj.summary,
        tags=obj.tags,
        tenant_model_id=obj.tenant_model_id,
        alias=view["alias"],
        connected_endpoints=view["connected_endpoints"],
        created_at=obj.created_at,
        updated_at=obj.updated_at,
    )


class ModelType(BaseModel):
    name: str
    description: str
    config_schema: dict[str, Any]
    enabled: bool


OPENAI = ModelType(
    name="openai",
    description="Any OpenAI-compatible chat API (OpenAI, vLLM, Ollama ...).",
    config_schema=SyftModelConfig.model_json_schema(),
    enabled=True,
)

router = APIRouter(prefix="/api/v1/models", tags=["syft models"], route_class=UnitOfWorkRoute)
#: Beside the models (under them, ``types`` would be read as a model's name).
types_router = APIRouter(
    prefix="/api/v1/model-types", tags=["syft models"], route_class=UnitOfWorkRoute
)
NameKey = Annotated[str, Path(alias="name", description="Model name")]


@route(types_router, "GET", "", summary="List model types", responses=responses())
async def list_types(_caller: PrincipalDep) -> list[ModelType]:
    return [OPENAI]


@route(
    router,
    "POST",
    "",
    status_code=201,
    summary="Create model",
    responses=responses(400, 404, 409),
)
async def create_model(
    body: SyftModelCreate,
    session: SessionDep,
    scope: SpaceScopeDep,
    cursors: CursorsDep,
    edge: ProviderEdgeDep,
) -> SyftModelRead:
    svc = SyftModelService(session, scope, cursors, edge)
    return to_read(await svc.create(body.model_dump(exclude_unset=False)))


@route(router, "PATCH", "/{name}", summary="Update model", responses=responses(400, 404, 409))
async def update_model(
    name: NameKey,
    body: SyftModelUpdate,
    session: SessionDep,
    scope: SpaceScopeDep,
    cursors: CursorsDep,
    edge: ProviderEdgeDep,
) -> SyftModelRead:
    svc = SyftModelService(session, scope, cursors, edge)
    changes = body.model_dump(exclude_unset=True)
    if body.configuration is not None:
        changes["configuration"] = body.configuration.model_dump(exclude_unset=True)
    return to_read(await svc.update(name, changes))


crud_router(
    SyftModelService,
    prefix="/api/v1/models",
    tag="syft models",
    create=None,
    update=None,
    read=SyftModelRead,
    ops=("list", "get", "delete"),
    trailing_slash=True,
    to_read=to_read,
    router=router,
)
document_every_path(router)
