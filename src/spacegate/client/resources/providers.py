"""Provider connections (``/v1/providers``). Credentials go in and never come back out.

``create`` and ``update`` take the server's own request model, or its fields as keywords
(validated by that model before anything is sent). In ``update``, only the fields given change,
and ``api_key=None`` removes the stored credential.
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
from spacegate.providers.schemas import ProviderCreate, ProviderRead, ProviderUpdate

_PATH = "/v1/providers"


def _list(limit: int) -> PageOp[ProviderRead]:
    def fetch(cursor: str | None) -> Op[Page[ProviderRead]]:
        return Op("GET", _PATH, platform_page(ProviderRead), params(limit=limit, after=cursor))

    return fetch


def _create(
    body: ProviderCreate | None, fields: dict[str, Any], key: str | None
) -> Op[ProviderRead]:
    request = body if body is not None else ProviderCreate.model_validate(fields)
    return Op("POST", _PATH, model(ProviderRead), body=dump(request), idempotency_key=key)


def _get(provider_id: Id) -> Op[ProviderRead]:
    return Op("GET", f"{_PATH}/{provider_id}", model(ProviderRead))


def _update(
    provider_id: Id, body: ProviderUpdate | None, fields: dict[str, Any]
) -> Op[ProviderRead]:
    request = body if body is not None else ProviderUpdate.model_validate(fields)
    return Op("PATCH", f"{_PATH}/{provider_id}", model(ProviderRead), body=dump(request))


def _delete(provider_id: Id) -> Op[None]:
    return Op("DELETE", f"{_PATH}/{provider_id}", nothing)


class Providers:
    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def list(self, *, page_size: int = 50) -> SyncPager[ProviderRead]:
        return SyncPager(self._t, _list(page_size))

    def create(
        self,
        body: ProviderCreate | None = None,
        /,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> ProviderRead:
        return self._t.run(_create(body, fields, idempotency_key))

    def get(self, provider_id: Id) -> ProviderRead:
        return self._t.run(_get(provider_id))

    def update(
        self, provider_id: Id, body: ProviderUpdate | None = None, /, **fields: Any
    ) -> ProviderRead:
        return self._t.run(_update(provider_id, body, fields))

    def delete(self, provider_id: Id) -> None:
        """Refused (409 ``provider_in_use``) while a model still routes to the connection."""
        self._t.run(_delete(provider_id))


class AsyncProviders:
    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    def list(self, *, page_size: int = 50) -> AsyncPager[ProviderRead]:
        return AsyncPager(self._t, _list(page_size))

    async def create(
        self,
        body: ProviderCreate | None = None,
        /,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> ProviderRead:
        return await self._t.run(_create(body, fields, idempotency_key))

    async def get(self, provider_id: Id) -> ProviderRead:
        return await self._t.run(_get(provider_id))

    async def update(
        self, provider_id: Id, body: ProviderUpdate | None = None, /, **fields: Any
    ) -> ProviderRead:
        return await self._t.run(_update(provider_id, body, fields))

    async def delete(self, provider_id: Id) -> None:
        await self._t.run(_delete(provider_id))
