"""Seed 004 "experts"."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field, field_serializer

from spacegate.copilot.experts import ExpertService, ExpertTool, FileContext
from spacegate.resources.router import crud_router
from spacegate.wire.base import RequestModel, ResponseModel


class ExpertCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(max_length=10_000)
    context: str = Field(default="", max_length=100_000, description="The expert's instructions.")
    file_context: list[FileContext] = Field(default_factory=list, max_length=50)
    tools: list[ExpertTool] = Field(default_factory=list, max_length=64)

    @field_serializer("file_context", "tools")
    def _plain(self, items: list[Any]) -> list[dict[str, Any]]:
        return [i.model_dump(mode="json", exclude_none=True) for i in items]


class ExpertUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    context: str | None = Field(default=None, max_length=100_000)
    file_context: list[FileContext] | None = Field(default=None, max_length=50)
    tools: list[ExpertTool] | None = Field(default=None, max_length=64)

    @field_serializer("file_context", "tools")
    def _plain(self, items: list[Any] | None) -> list[dict[str, Any]] | None:
        if items is None:
            return None
        return [i.model_dump(mode="json", exclude_none=True) for i in items]


class ExpertRead(ResponseModel):
    id: uuid.UUID
    name: str
    description: str
    context: str
    file_context: list[dict[str, Any]]
    tools: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime


router = crud_router(
    ExpertService,
    prefix="/v1/experts",
    tag="experts",
    create=ExpertCreate,
    update=ExpertUpdate,
    read=ExpertRead,
)
