"""API keys (``/v1/api-keys``) and each key's own limits (``/v1/api-keys/{id}/limits``)."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from spacegate.client._http import AsyncTransport, Id, Op, SyncTransport, dump, model
from spacegate.client.pagination import AsyncPager, PageOp, SyncPager, platform_list
from spacegate.wire.platform.api_keys import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from spacegate.wire.platform.limits import KeyLimits, KeyLimitsRead

_PATH = "/v1/api-keys"


def _list(limit: int) -> PageOp[ApiKeyRead]:
    return platform_list(_PATH, ApiKeyRead, limit)


def _create(fields: dict[str, Any], key: str | None) -> Op[ApiKeyCreated]:
    body = dump(ApiKeyCreate.model_validate({k: v for k, v in fields.items() if v is not None}))
    return Op("POST", _PATH, model(ApiKeyCreated), body=body, idempotency_key=key)


def _get(key_id: Id) -> Op[ApiKeyRead]:
    return Op("GET", f"{_PATH}/{key_id}", model(ApiKeyRead))


def _revoke(key_id: Id) -> Op[ApiKeyRead]:
    return Op("DELETE", f"{_PATH}/{key_id}", model(ApiKeyRead))


def _get_limits(key_id: Id) -> Op[KeyLimitsRead]:
    return Op("GET", f"{_PATH}/{key_id}/limits", model(KeyLimitsRead))


def _set_limits(
    key_id: Id, rpm: int | None, tpm: int | None, max_concurrency: int | None
) -> Op[KeyLimitsRead]:
    body = dump(KeyLimits(rpm=rpm, tpm=tpm, max_concurrency=max_concurrency))
    return Op("PUT", f"{_PATH}/{key_id}/limits", model(KeyLimitsRead), body=body)


class ApiKeys:
    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def list(self, *, page_size: int = 50) -> SyncPager[ApiKeyRead]:
        return SyncPager(self._t, _list(page_size))

    def create(
        self,
        *,
        name: str = "api key",
        space_id: Id | None = None,
        permissions: builtins.list[str] | None = None,
        expires_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> ApiKeyCreated:
        """The answer's ``key`` is the secret, shown only this once."""
        fields = {
            "name": name,
            "space_id": space_id,
            "permissions": permissions,
            "expires_at": expires_at,
        }
        return self._t.run(_create(fields, idempotency_key))

    def get(self, key_id: Id) -> ApiKeyRead:
        return self._t.run(_get(key_id))

    def revoke(self, key_id: Id) -> ApiKeyRead:
        return self._t.run(_revoke(key_id))

    def limits(self, key_id: Id) -> KeyLimitsRead:
        return self._t.run(_get_limits(key_id))

    def set_limits(
        self,
        key_id: Id,
        *,
        rpm: int | None = None,
        tpm: int | None = None,
        max_concurrency: int | None = None,
    ) -> KeyLimitsRead:
        """Replaces the key's limits: a limit left out is removed."""
        return self._t.run(_set_limits(key_id, rpm, tpm, max_concurrency))


class AsyncApiKeys:
    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    def list(self, *, page_size: int = 50) -> AsyncPager[ApiKeyRead]:
        return AsyncPager(self._t, _list(page_size))

    async def create(
        self,
        *,
        name: str = "api key",
        space_id: Id | None = None,
        permissions: builtins.list[str] | None = None,
        expires_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> ApiKeyCreated:
        fields = {
            "name": name,
            "space_id": space_id,
            "permissions": permissions,
            "expires_at": expires_at,
        }
        return await self._t.run(_create(fields, idempotency_key))

    async def get(self, key_id: Id) -> ApiKeyRead:
        return await self._t.run(_get(key_id))

    async def revoke(self, key_id: Id) -> ApiKeyRead:
        return await self._t.run(_revoke(key_id))

    async def limits(self, key_id: Id) -> KeyLimitsRead:
        return await self._t.run(_get_limits(key_id))

    async def set_limits(
        self,
        key_id: Id,
        *,
        rpm: int | None = None,
        tpm: int | None = None,
        max_concurrency: int | None = None,
    ) -> KeyLimitsRead:
        return await self._t.run(_set_limits(key_id, rpm, tpm, max_concurrency))
