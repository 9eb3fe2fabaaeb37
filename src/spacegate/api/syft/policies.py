"""Seed 003 policies (``/api/v1/policies/``) and their types with JSON schemas."""

from __future__ import annotations

from fastapi import APIRouter

from spacegate.api.routing import UnitOfWorkRoute
from spacegate.api.syft.common import document_every_path, responses, route
from spacegate.auth.dependencies import PrincipalDep
from spacegate.rag.policies.service import PolicyService
from spacegate.rag.policies.types import TYPES
from spacegate.resources.router import crud_router
from spacegate.wire.syft.policies import (
    PolicyCreate,
    PolicyFilters,
    PolicyRead,
    PolicyTypeRead,
    PolicyUpdate,
)

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
