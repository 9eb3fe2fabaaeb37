"""Wire schemas of ``spacegate.api.platform.spaces``: pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from spacegate.kit.emails import Email
from spacegate.wire.base import (
    PermissionName,
    RequestModel,
    ResponseModel,
)


class SpaceCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(max_length=10_000)


class SpaceUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)


class SpaceRead(ResponseModel):
    id: uuid.UUID
    name: str
    description: str
    created_at: datetime
    created_by: uuid.UUID | None
    updated_at: datetime
    updated_by: uuid.UUID | None


class InviteRequest(RequestModel):
    emails: list[Email] = Field(min_length=1, max_length=100)
    roles: list[PermissionName] = Field(
        max_length=100,
        description="Permissions the invitees get in this space (`UserPermission` values).",
    )
    role: Literal["designer", "developer"] = Field(
        default="developer", description="Org role given to invitees who are not users yet."
    )


class InvitationRead(ResponseModel):
    id: uuid.UUID
    email: str
    permissions: list[str]
    role: str
    expires_at: datetime
    created_at: datetime


class IssuedInvitationRead(InvitationRead):
    token: str = Field(
        description="Shown once: the invitee redeems it at `POST /v1/users/accept-invite`."
    )


class InviteResponse(ResponseModel):
    emails: list[str]
    invitations: list[IssuedInvitationRead]


class MemberRead(ResponseModel):
    user_id: uuid.UUID
    permissions: list[str]
    created_at: datetime
