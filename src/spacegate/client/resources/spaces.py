"""Spaces (``/v1/spaces``): create, list, update, soft delete and restore, invite, members."""

from __future__ import annotations

import builtins
from typing import Literal

from pydantic import TypeAdapter

from spacegate.client._http import AsyncTransport, Id, Op, SyncTransport, dump, model
from spacegate.client.pagination import AsyncPager, PageOp, SyncPager, platform_list
from spacegate.wire.base import IdResponse
from spacegate.wire.platform.spaces import (
    InvitationRead,
    InviteRequest,
    InviteResponse,
    MemberRead,
    SpaceCreate,
    SpaceRead,
    SpaceUpdate,
)

_PATH = "/v1/spaces"


def _list(limit: int) -> PageOp[SpaceRead]:
    return platform_list(_PATH, SpaceRead, limit)


def _create(name: str, description: str, key: str | None) -> Op[SpaceRead]:
    body = dump(SpaceCreate(name=name, description=description))
    return Op("POST", _PATH, model(SpaceRead), body=body, idempotency_key=key)


def _get(space_id: Id) -> Op[SpaceRead]:
    return Op("GET", f"{_PATH}/{space_id}", model(SpaceRead))


def _update(space_id: Id, name: str | None, description: str | None) -> Op[SpaceRead]:
    fields = {k: v for k, v in {"name": name, "description": description}.items() if v is not None}
    body = dump(SpaceUpdate(**fields))
    return Op("PATCH", f"{_PATH}/{space_id}", model(SpaceRead), body=body)


def _delete(space_id: Id) -> Op[IdResponse]:
    return Op("DELETE", f"{_PATH}/{space_id}", model(IdResponse))


def _restore(space_id: Id, key: str | None) -> Op[IdResponse]:
    return Op("POST", f"{_PATH}/{space_id}/restore", model(IdResponse), idempotency_key=key)


def _invite(
    space_id: Id,
    emails: list[str],
    permissions: list[str],
    role: Literal["designer", "developer"],
    key: str | None,
) -> Op[InviteResponse]:
    body = dump(
        InviteRequest.model_validate({"emails": emails, "roles": permissions, "role": role})
    )
    return Op(
        "POST", f"{_PATH}/{space_id}/invite", model(InviteResponse), body=body, idempotency_key=key
    )


_invitations = TypeAdapter(list[InvitationRead])
_members = TypeAdapter(list[MemberRead])


def _list_invitations(space_id: Id) -> Op[list[InvitationRead]]:
    return Op(
        "GET", f"{_PATH}/{space_id}/invitations", lambda r: _invitations.validate_json(r.content)
    )


def _list_members(space_id: Id) -> Op[list[MemberRead]]:
    return Op("GET", f"{_PATH}/{space_id}/members", lambda r: _members.validate_json(r.content))


class Spaces:
    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def list(self, *, page_size: int = 50) -> SyncPager[SpaceRead]:
        """Every space the caller can see, oldest first, fetched ``page_size`` at a time."""
        return SyncPager(self._t, _list(page_size))

    def create(
        self, *, name: str, description: str = "", idempotency_key: str | None = None
    ) -> SpaceRead:
        return self._t.run(_create(name, description, idempotency_key))

    def get(self, space_id: Id) -> SpaceRead:
        return self._t.run(_get(space_id))

    def update(
        self, space_id: Id, *, name: str | None = None, description: str | None = None
    ) -> SpaceRead:
        return self._t.run(_update(space_id, name, description))

    def delete(self, space_id: Id) -> IdResponse:
        """Soft delete: ``restore`` brings the space back."""
        return self._t.run(_delete(space_id))

    def restore(self, space_id: Id, *, idempotency_key: str | None = None) -> IdResponse:
        return self._t.run(_restore(space_id, idempotency_key))

    def invite(
        self,
        space_id: Id,
        *,
        emails: builtins.list[str],
        permissions: builtins.list[str],
        role: Literal["designer", "developer"] = "developer",
        idempotency_key: str | None = None,
    ) -> InviteResponse:
        return self._t.run(_invite(space_id, emails, permissions, role, idempotency_key))

    def invitations(self, space_id: Id) -> builtins.list[InvitationRead]:
        return self._t.run(_list_invitations(space_id))

    def members(self, space_id: Id) -> builtins.list[MemberRead]:
        return self._t.run(_list_members(space_id))


class AsyncSpaces:
    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    def list(self, *, page_size: int = 50) -> AsyncPager[SpaceRead]:
        return AsyncPager(self._t, _list(page_size))

    async def create(
        self, *, name: str, description: str = "", idempotency_key: str | None = None
    ) -> SpaceRead:
        return await self._t.run(_create(name, description, idempotency_key))

    async def get(self, space_id: Id) -> SpaceRead:
        return await self._t.run(_get(space_id))

    async def update(
        self, space_id: Id, *, name: str | None = None, description: str | None = None
    ) -> SpaceRead:
        return await self._t.run(_update(space_id, name, description))

    async def delete(self, space_id: Id) -> IdResponse:
        return await self._t.run(_delete(space_id))

    async def restore(self, space_id: Id, *, idempotency_key: str | None = None) -> IdResponse:
        return await self._t.run(_restore(space_id, idempotency_key))

    async def invite(
        self,
        space_id: Id,
        *,
        emails: builtins.list[str],
        permissions: builtins.list[str],
        role: Literal["designer", "developer"] = "developer",
        idempotency_key: str | None = None,
    ) -> InviteResponse:
        return await self._t.run(_invite(space_id, emails, permissions, role, idempotency_key))

    async def invitations(self, space_id: Id) -> builtins.list[InvitationRead]:
        return await self._t.run(_list_invitations(space_id))

    async def members(self, space_id: Id) -> builtins.list[MemberRead]:
        return await self._t.run(_list_members(space_id))
