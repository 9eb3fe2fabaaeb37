"""Wire schemas of ``spacegate.api.platform.users``: pydantic only."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from spacegate.wire.base import PermissionName, RequestModel, ResponseModel

RoleName = Literal["owner", "admin", "designer", "developer"]


class UserRead(ResponseModel):
    id: uuid.UUID
    email: str
    external_id: str | None
    first_name: str
    last_name: str
    role: str
    permissions: list[str] = Field(description="Permissions granted on top of the role's.")


class SpaceAccessRead(ResponseModel):
    id: uuid.UUID
    name: str
    permissions: list[str]


class UserMe(ResponseModel):
    id: uuid.UUID
    org_id: uuid.UUID = Field(description="The caller's org (MechaMental paths nest under it).")
    email: str
    external_id: str | None
    first_name: str
    last_name: str
    role: str
    permissions: list[str] = Field(description="Everything the calling key may do, org-wide.")
    spaces: list[SpaceAccessRead]


class UserUpdate(RequestModel):
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    role: RoleName | None = None


class PermissionsBody(RequestModel):
    permissions: list[PermissionName] = Field(min_length=1, max_length=100)


class PermissionsRead(ResponseModel):
    permissions: list[str]


class AcceptInvite(RequestModel):
    token: str = Field(min_length=1, max_length=200)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)


class AcceptedRead(ResponseModel):
    user: UserRead
    space_id: uuid.UUID
    permissions: list[str]
    api_key: str | None = Field(
        description="The new user's first personal API key, shown once; null if the user existed."
    )
    api_key_id: uuid.UUID | None
