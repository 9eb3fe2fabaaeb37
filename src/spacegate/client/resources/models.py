"""The org's model registry (``/v1/tenant-models``): aliases, targets, prices, capabilities.

``create`` and ``update`` take the server's own request model, or its fields as keywords; in
``update`` only the fields given change (``targets`` replaces the whole set).
"""

from __future__ import annotations

from typing import Any

from spacegate.client._http import Id, params
from spacegate.client.resources._crud import AsyncCrud, CrudOps, SyncCrud
from spacegate.wire.platform.tenant_models import ModelCreate, ModelUpdate, TenantModelRead

_OPS = CrudOps("/v1/tenant-models", TenantModelRead, ModelCreate, ModelUpdate)


def _force(force: bool) -> dict[str, Any]:
    return params(force="true" if force else None)


class Models(SyncCrud[TenantModelRead, ModelCreate, ModelUpdate]):
    ops = _OPS

    def get(self, tenant_model_id: Id) -> TenantModelRead:
        return self._t.run(_OPS.get(tenant_model_id))

    def update(
        self, tenant_model_id: Id, body: ModelUpdate | None = None, /, **fields: Any
    ) -> TenantModelRead:
        return self._t.run(_OPS.update(tenant_model_id, body, fields))

    def delete(self, tenant_model_id: Id, *, force: bool = False) -> None:
        """Refused (409 ``model_entitled``) while a space has the model, unless ``force``."""
        self._t.run(_OPS.delete(tenant_model_id, _force(force)))


class AsyncModels(AsyncCrud[TenantModelRead, ModelCreate, ModelUpdate]):
    ops = _OPS

    async def get(self, tenant_model_id: Id) -> TenantModelRead:
        return await self._t.run(_OPS.get(tenant_model_id))

    async def update(
        self, tenant_model_id: Id, body: ModelUpdate | None = None, /, **fields: Any
    ) -> TenantModelRead:
        return await self._t.run(_OPS.update(tenant_model_id, body, fields))

    async def delete(self, tenant_model_id: Id, *, force: bool = False) -> None:
        await self._t.run(_OPS.delete(tenant_model_id, _force(force)))
