"""Wire schemas of ``spacegate.api.platform.api_keys``: pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AliasChoices, Field

from spacegate.wire.base import PermissionName, RequestModel, ResponseModel


class ApiKeyCreate(RequestModel):
    name: str = Field(default="api key", min_length=1, max_length=200)
    space_id: uuid.UUID | None = Field(default=None, description="Bind the key to one space.")
    permissions: list[PermissionName] | None = Field(
        default=None,
        max_length=100,
        description="Restrict the key; default: everything its user may do.",
    )
    expires_at: datetime | None = None


class ApiKeyRead(ResponseModel):
    id: uuid.UUID
    name: str
    prefix: str = Field(
        validation_alias=AliasChoices("display", "prefix"),
        description="First and last characters, for recognising it.",
    )
    user_id: uuid.UUID
    space_id: uuid.UUID | None
    permissions: list[str] | None
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The API key. Shown only in this response: store it now.")
