"""Users (``/v1/users``) and the caller's org (``/v1/orgs/{org_id}``)."""

from __future__ import annotations

import builtins
from typing import Any, Literal

from spacegate.client._http import AsyncTransport, Id, Op, SyncTransport, dump, model
from spacegate.client.pagination import AsyncPager, PageOp, SyncPager, platform_list
from spacegate.wire.platform.orgs import OrgRead, OrgUpdate
from spacegate.wire.platform.users import (
    PermissionsBody,
    PermissionsRead,
    UserMe,
    UserRead,
    UserUpdate,
)

Role = Literal["owner", "admin", "designer", "developer"]


def _set(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _list(limit: int) -> PageOp[UserRead]:
    return platform_list("/v1/users", UserRead, limit)


def _me() -> Op[UserMe]:
    return Op("GET", "/v1/users/me", model(UserMe))


def _get(user_id: Id) -> Op[UserRead]:
    return Op("GET", f"/v1/users/{user_id}", model(UserRead))


def _update(path: str, first: str | None, last: str | None, role: Role | None) -> Op[UserRead]:
    body = dump(UserUpdate(**_set(first_name=first, last_name=last, role=role)))
    return Op("PATCH", path, model(UserRead), body=body)


def _add_permissions(
    user_id: Id, permissions: builtins.list[str], key: str | None
) -> Op[PermissionsRead]:
    body = dump(PermissionsBody.model_validate({"permissions": permissions}))
    path = f"/v1/users/{user_id}/permissions"
    return Op("POST", path, model(PermissionsRead), body=body, idempotency_key=key)


def _get_org(org_id: Id) -> Op[OrgRead]:
    return Op("GET", f"/v1/orgs/{org_id}", model(OrgRead))


def _update_org(org_id: Id, name: str | None, timezone: str | None) -> Op[OrgRead]:
    body = dump(OrgUpdate(**_set(name=name, timezone=timezone)))
    return Op("PATCH", f"/v1/orgs/{org_id}", model(OrgRead), body=body)


class Users:
    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def me(self) -> UserMe:
        """The caller: its user, org, effective permissions and spaces."""
        return self._t.run(_me())

    def list(self, *, page_size: int = 50) -> SyncPager[UserRead]:
        return SyncPager(self._t, _list(page_size))

    def get(self, user_id: Id) -> UserRead:
        return self._t.run(_get(user_id))

    def update(
        self,
        user_id: Id,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        role: Role | None = None,
    ) -> UserRead:
        return self._t.run(_update(f"/v1/users/{user_id}", first_name, last_name, role))

    def update_me(self, *, first_name: str | None = None, last_name: str | None = None) -> UserRead:
        return self._t.run(_update("/v1/users/me", first_name, last_name, None))

    def add_permissions(
        self, user_id: Id, permissions: builtins.list[str], *, idempotency_key: str | None = None
    ) -> PermissionsRead:
        return self._t.run(_add_permissions(user_id, permissions, idempotency_key))


class AsyncUsers:
    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    async def me(self) -> UserMe:
        return await self._t.run(_me())

    def list(self, *, page_size: int = 50) -> AsyncPager[UserRead]:
        return AsyncPager(self._t, _list(page_size))

    async def get(self, user_id: Id) -> UserRead:
        return await self._t.run(_get(user_id))

    async def update(
        self,
        user_id: Id,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        role: Role | None = None,
    ) -> UserRead:
        return await self._t.run(_update(f"/v1/users/{user_id}", first_name, last_name, role))

    async def update_me(
        self, *, first_name: str | None = None, last_name: str | None = None
    ) -> UserRead:
        return await self._t.run(_update("/v1/users/me", first_name, last_name, None))

    async def add_permissions(
        self, user_id: Id, permissions: builtins.list[str], *, idempotency_key: str | None = None
    ) -> PermissionsRead:
        return await self._t.run(_add_permissions(user_id, permissions, idempotency_key))


class Orgs:
    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def get(self, org_id: Id) -> OrgRead:
        return self._t.run(_get_org(org_id))

    def update(
        self, org_id: Id, *, name: str | None = None, timezone: str | None = None
    ) -> OrgRead:
        return self._t.run(_update_org(org_id, name, timezone))


class AsyncOrgs:
    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    async def get(self, org_id: Id) -> OrgRead:
        return await self._t.run(_get_org(org_id))

    async def update(
        self, org_id: Id, *, name: str | None = None, timezone: str | None = None
    ) -> OrgRead:
        return await self._t.run(_update_org(org_id, name, timezone))
