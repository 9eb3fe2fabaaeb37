"""The org's model registry (``/v1/tenant-models``): aliases, targets, prices, capabilities.

``create`` and ``update`` take the server's own request model, or its fields as keywords; in
``update`` only the fields given change (``targets`` replaces the whole set).
"""

from __future__ import annotations

from typing import Any

from spacegate.client._http import (
    AsyncTransport,
    Id,
    Op,
    SyncTransport,
    dump,
    model,
    nothing,
    params,
)
from spacegate.client.pagination import AsyncPager, Page, PageOp, SyncPager, platform_page
from spacegate.registry.schemas import ModelCreate, ModelUpdate, TenantModelRead

_PATH = "/v1/tenant-models"


def _list(limit: int) -> PageOp[TenantModelRead]:
    def fetch(cursor: str | None) -> Op[Page[TenantModelRead]]:
        return Op("GET", _PATH, platform_page(TenantModelRead), params(limit=limit, after=cursor))

    return fetch


def _create(
    body: ModelCreate | None, fields: dict[str, Any], key: str | None
) -> Op[TenantModelRead]:
    request = body if body is not None else ModelCreate.model_validate(fields)
    return Op("POST", _PATH, model(TenantModelRead), body=dump(request), idempotency_key=key)


def _get(model_id: Id) -> Op[TenantModelRead]:
    return Op("GET", f"{_PATH}/{model_id}", model(TenantModelRead))


def _update(model_id: Id, body: ModelUpdate | None, fields: dict[str, Any]) -> Op[TenantModelRead]:
    request = body if body is not None else ModelUpdate.model_validate(fields)
    return Op("PATCH", f"{_PATH}/{model_id}", model(TenantModelRead), body=dump(request))


def _delete(model_id: Id, force: bool) -> Op[None]:
    return Op("DELETE", f"{_PATH}/{model_id}", nothing, params(force="true" if force else None))


class Models:
    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def list(self, *, page_size: int = 50) -> SyncPager[TenantModelRead]:
        return SyncPager(self._t, _list(page_size))

    def create(
        self,
        body: ModelCreate | None = None,
        /,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> TenantModelRead:
        return self._t.run(_create(body, fields, idempotency_key))

    def get(self, tenant_model_id: Id) -> TenantModelRead:
        return self._t.run(_get(tenant_model_id))

    def update(
        self, tenant_model_id: Id, body: ModelUpdate | None = None, /, **fields: Any
    ) -> TenantModelRead:
        return self._t.run(_update(tenant_model_id, body, fields))

    def delete(self, tenant_model_id: Id, *, force: bool = False) -> None:
        """Refused (409 ``model_entitled``) while a space has the model, unless ``force``."""
        self._t.run(_delete(tenant_model_id, force))


class AsyncModels:
    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    def list(self, *, page_size: int = 50) -> AsyncPager[TenantModelRead]:
        return AsyncPager(self._t, _list(page_size))

    async def create(
        self,
        body: ModelCreate | None = None,
        /,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> TenantModelRead:
        return await self._t.run(_create(body, fields, idempotency_key))

    async def get(self, tenant_model_id: Id) -> TenantModelRead:
        return await self._t.run(_get(tenant_model_id))

    async def update(
        self, tenant_model_id: Id, body: ModelUpdate | None = None, /, **fields: Any
    ) -> TenantModelRead:
        return await self._t.run(_update(tenant_model_id, body, fields))

    async def delete(self, tenant_model_id: Id, *, force: bool = False) -> None:
        await self._t.run(_delete(tenant_model_id, force))
