"""The org's model registry on the platform surface (``/v1/tenant-models``).

``/v1/models`` belongs to the OpenAI wire format, so the registry lives beside it. The items are
the same as Aimable's ``/api-proxy/v1/tenant/models``; only the envelopes differ.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from spacegate.api.deps import After, CursorsDep, Limit, PrincipalDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.registry.service import ModelView, RegistryService
from spacegate.wire.base import ListResponse
from spacegate.wire.platform.tenant_models import ModelCreate, ModelUpdate, TenantModelRead

router = APIRouter(prefix="/v1/tenant-models", tags=["tenant models"], route_class=UnitOfWorkRoute)
TenantModelId = Annotated[uuid.UUID, Path(description="The model's `tenant_model_id`.")]
Force = Annotated[
    bool, Query(description="Also revoke every entitlement to the model instead of refusing.")
]


def _svc(session: SessionDep, principal: PrincipalDep, cursors: CursorsDep) -> RegistryService:
    return RegistryService(session, principal, cursors)


ServiceDep = Annotated[RegistryService, Depends(_svc)]


def _read(view: ModelView) -> TenantModelRead:
    return TenantModelRead.build(view.model, view.targets)


@router.get("", summary="List the org's models", responses=errors(*AUTHED, 400))
async def list_tenant_models(
    svc: ServiceDep, limit: Limit = 20, after: After = None
) -> ListResponse[TenantModelRead]:
    page = await svc.list_page(limit=limit, after=after)
    data = [_read(v) for v in page.items]
    return ListResponse.of(data, page)


@router.post(
    "",
    status_code=201,
    summary="Register a model",
    responses=errors(*AUTHED, 400, 404, 409),
)
async def create_tenant_model(body: ModelCreate, svc: ServiceDep) -> TenantModelRead:
    return _read(await svc.create(body))


@router.get("/{tenant_model_id}", summary="Get a model", responses=errors(*AUTHED, 404))
async def get_tenant_model(tenant_model_id: TenantModelId, svc: ServiceDep) -> TenantModelRead:
    return _read(await svc.view(tenant_model_id))


@router.patch("/{tenant_model_id}", summary="Update a model", responses=errors(*AUTHED, 404, 409))
async def update_tenant_model(
    tenant_model_id: TenantModelId, body: ModelUpdate, svc: ServiceDep
) -> TenantModelRead:
    return _read(await svc.update(tenant_model_id, body))


@router.delete(
    "/{tenant_model_id}",
    status_code=204,
    summary="Delete a model",
    description="Refused with 409 `model_entitled` while a space is entitled to the model, "
    "unless `force=true`.",
    responses=errors(*AUTHED, 404, 409),
)
async def delete_tenant_model(
    tenant_model_id: TenantModelId, svc: ServiceDep, force: Force = False
) -> Response:
    await svc.delete(tenant_model_id, force=force)
    return Response(status_code=204)
