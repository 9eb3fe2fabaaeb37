"""Wire schemas of actions (``/v1/actions``): pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from spacegate.wire.base import RequestModel, ResponseModel


class ActionPriority(StrEnum):
    very_low = "very_low"
    low = "low"
    medium = "medium"
    high = "high"
    very_high = "very_high"


class ActionStatus(StrEnum):
    archived = "archived"
    draft = "draft"
    active = "active"
    inactive = "inactive"


_CHANNEL = "The channel, or a comma-separated list of the channels the action may use."


_MODEL = "A model allowed in the space (alias or tenant_model_id) that writes its insights."


class ActionCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(max_length=10_000)
    type: str = Field(min_length=1, max_length=100)
    priority: ActionPriority
    status: ActionStatus | None = Field(default=None, description="Default: draft.")
    channel: str | None = Field(default=None, max_length=500, description=_CHANNEL)
    channel_template: str | None = Field(default=None, max_length=100_000)
    custom_insights: str | None = Field(default=None, max_length=100_000)
    model_id: str | None = Field(default=None, min_length=1, max_length=200, description=_MODEL)
    start_date: datetime | None = None
    end_date: datetime | None = Field(default=None, description="After start_date.")
    group: uuid.UUID | None = Field(default=None, description="An action group of the space.")


class ActionUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    type: str | None = Field(default=None, min_length=1, max_length=100)
    priority: ActionPriority | None = None
    status: ActionStatus | None = None
    channel: str | None = Field(default=None, max_length=500, description=_CHANNEL)
    channel_template: str | None = Field(default=None, max_length=100_000)
    custom_insights: str | None = Field(default=None, max_length=100_000)
    model_id: str | None = Field(default=None, min_length=1, max_length=200, description=_MODEL)
    start_date: datetime | None = None
    end_date: datetime | None = None
    group: uuid.UUID | None = None


class ActionRead(ResponseModel):
    id: uuid.UUID
    name: str
    description: str
    type: str
    priority: ActionPriority
    status: ActionStatus
    channel: str | None
    channel_template: str | None
    custom_insights: str | None
    model_id: str | None
    start_date: datetime | None
    end_date: datetime | None
    group: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
