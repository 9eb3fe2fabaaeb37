"""Seed 004 "action groups"."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from spacegate.copilot.action_groups import ActionGroupService
from spacegate.resources.router import crud_router
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


router = crud_router(
    ActionGroupService,
    prefix="/v1/action-groups",
    tag="action groups",
    create=ActionGroupCreate,
    update=ActionGroupUpdate,
    read=ActionGroupRead,
)
