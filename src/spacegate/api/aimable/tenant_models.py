"""Aimable tenant models (``/api-proxy/v1/tenant/models``): the org's model registry.

Aimable's envelopes: ``{"data": [...], "meta": {"next_cursor", "has_more"}}`` for lists and
``{"data": {...}}`` for one item; ``Idempotency-Key`` is required on POST.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Generic, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel

from spacegate.api.deps import CursorsDep, Limit, PrincipalDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import IdempotencyRequired, UnitOfWorkRoute
from spacegate.registry.service import ModelView, RegistryService
from spacegate.wire.platform.tenant_models import ModelCreate, ModelUpdate, TenantModelRead

T = TypeVar("T")

router = APIRouter(
    prefix="/api-proxy/v1/tenant/models",
    tags=["aimable: tenant models"],
    route_class=UnitOfWorkRoute,
)
TenantModelId = Annotated[uuid.UUID, Path(description="The model's `tenant_model_id`.")]
Cursor = Annotated[
    str | None, Query(max_length=512, description="`meta.next_cursor` of the previous page.")
]
Force = Annotated[
    bool, Query(description="Also revoke every entitlement to the model instead of refusing.")
]


class Meta(BaseModel):
    next_cursor: str | None
    has_more: bool


class DataList(BaseModel, Generic[T]):
    data: list[T]
    meta: Meta


class DataItem(BaseModel, Generic[T]):
    data: T


def _svc(session: SessionDep, principal: PrincipalDep, cursors: CursorsDep) -> RegistryService:
    return RegistryService(session, principal, cursors)


ServiceDep = Annotated[RegistryService, Depends(_svc)]


def _item(view: ModelView) -> DataItem[TenantModelRead]:
    return DataItem(data=TenantModelRead.build(view.model, view.targets))


@router.get("", summary="List tenant models", responses=errors(*AUTHED, 400))
async def list_tenant_models(
    svc: ServiceDep, limit: Limit = 20, cursor: Cursor = None
) -> DataList[TenantModelRead]:
    page = await svc.list_page(limit=limit, after=cursor, param="cursor")
    return DataList(
        data=[TenantModelRead.build(v.model, v.targets) for v in page.items],
        meta=Meta(next_cursor=page.next_cursor, has_more=page.has_more),
    )


@router.post(
    "",
    status_code=201,
    summary="Create a tenant model",
    dependencies=[IdempotencyRequired],
    responses=errors(*AUTHED, 400, 404, 409),
)
async def create_tenant_model(body: ModelCreate, svc: ServiceDep) -> DataItem[TenantModelRead]:
    return _item(await svc.create(body))


@router.get("/{tenant_model_id}", summary="Get a tenant model", responses=errors(*AUTHED, 404))
async def get_tenant_model(
    tenant_model_id: TenantModelId, svc: ServiceDep
) -> DataItem[TenantModelRead]:
    return _item(await svc.view(tenant_model_id))


@router.patch(
    "/{tenant_model_id}", summary="Update a tenant model", responses=errors(*AUTHED, 404, 409)
)
async def update_tenant_model(
    tenant_model_id: TenantModelId, body: ModelUpdate, svc: ServiceDep
) -> DataItem[TenantModelRead]:
    return _item(await svc.update(tenant_model_id, body))


@router.delete(
    "/{tenant_model_id}",
    status_code=204,
    summary="Delete a tenant model",
    description="Refused with 409 `model_entitled` while a space is entitled to the model, "
    "unless `force=true`.",
    responses=errors(*AUTHED, 404, 409),
)
async def delete_tenant_model(
    tenant_model_id: TenantModelId, svc: ServiceDep, force: Force = False
) -> Response:
    await svc.delete(tenant_model_id, force=force)
    return Response(status_code=204)
