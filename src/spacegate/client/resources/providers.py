"""Provider connections (``/v1/providers``). Credentials go in and never come back out.

``create`` and ``update`` take the server's own request model, or its fields as keywords
(validated by that model before anything is sent). In ``update``, only the fields given change,
and ``api_key=None`` removes the stored credential.
"""

from __future__ import annotations

from typing import Any

from spacegate.client._http import Id
from spacegate.client.resources._crud import AsyncCrud, CrudOps, SyncCrud
from spacegate.wire.platform.providers import ProviderCreate, ProviderRead, ProviderUpdate

_OPS = CrudOps("/v1/providers", ProviderRead, ProviderCreate, ProviderUpdate)


class Providers(SyncCrud[ProviderRead, ProviderCreate, ProviderUpdate]):
    ops = _OPS

    def get(self, provider_id: Id) -> ProviderRead:
        return self._t.run(_OPS.get(provider_id))

    def update(
        self, provider_id: Id, body: ProviderUpdate | None = None, /, **fields: Any
    ) -> ProviderRead:
        return self._t.run(_OPS.update(provider_id, body, fields))

    def delete(self, provider_id: Id) -> None:
        """Refused (409 ``provider_in_use``) while a model still routes to the connection."""
        self._t.run(_OPS.delete(provider_id))


class AsyncProviders(AsyncCrud[ProviderRead, ProviderCreate, ProviderUpdate]):
    ops = _OPS

    async def get(self, provider_id: Id) -> ProviderRead:
        return await self._t.run(_OPS.get(provider_id))

    async def update(
        self, provider_id: Id, body: ProviderUpdate | None = None, /, **fields: Any
    ) -> ProviderRead:
        return await self._t.run(_OPS.update(provider_id, body, fields))

    async def delete(self, provider_id: Id) -> None:
        await self._t.run(_OPS.delete(provider_id))
