"""Seed 003 policies (``/api/v1/policies/``) and their types with JSON schemas."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints

from spacegate.api.routing import UnitOfWorkRoute
from spacegate.api.syft.common import document_every_path, responses, route
from spacegate.auth.dependencies import PrincipalDep
from spacegate.rag.policies.service import PolicyService
from spacegate.rag.policies.types import TYPES
from spacegate.resources.router import crud_router
from spacegate.wire.base import RequestModel, ResponseModel

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
TypeName = Literal["access", "rate_limit", "pii_filter"]


class PolicyCreate(RequestModel):
    name: Name
    policy_type: TypeName
    configuration: dict[str, Any] = Field(
        default_factory=dict,
        description="Checked against the type's `config_schema` (`/api/v1/policy-types/`).",
    )
    endpoint_id: uuid.UUID


class PolicyUpdate(RequestModel):
    name: Name | None = None
    configuration: dict[str, Any] | None = Field(
        default=None, description="Merged into the stored configuration, then checked."
    )


class PolicyRead(ResponseModel):
    id: uuid.UUID
    name: str
    policy_type: str
    configuration: dict[str, Any]
    endpoint_id: uuid.UUID
    created_at: datetime
    updated_at: datetime


class PolicyFilters(BaseModel):
    endpoint_id: uuid.UUID | None = None
    policy_type: TypeName | None = None


class PolicyTypeRead(BaseModel):
    name: str
    description: str
    stage: str = Field(description="`pre`: checked before the query; `post`: applied to it.")
    config_schema: dict[str, Any]
    enabled: bool


router = APIRouter(prefix="/api/v1/policies", tags=["syft policies"], route_class=UnitOfWorkRoute)
#: Beside the policies (under them, ``types`` would be read as a policy id).
types_router = APIRouter(
    prefix="/api/v1/policy-types", tags=["syft policies"], route_class=UnitOfWorkRoute
)


@route(types_router, "GET", "", summary="List policy types", responses=responses())
async def list_policy_types(_caller: PrincipalDep) -> list[PolicyTypeRead]:
    return [PolicyTypeRead(**t.wire()) for t in TYPES.values()]


crud_router(
    PolicyService,
    prefix="/api/v1/policies",
    tag="syft policies",
    create=PolicyCreate,
    update=PolicyUpdate,
    read=PolicyRead,
    filters=PolicyFilters,
    trailing_slash=True,
    router=router,
)
document_every_path(router)
