"""Wire schemas of ``spacegate.api.copilot.action_groups``: pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from spacegate.wire.base import RequestModel, ResponseModel


class ActionGroupCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(max_length=10_000)


class ActionGroupUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)


class ActionGroupRead(ResponseModel):
    id: uuid.UUID
    name: str
    description: str
    created_at: datetime
    updated_at: datetime
