"""Wire schemas of ``spacegate.api.factory.data_models``: pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from spacegate.factory.tasks import Task
from spacegate.wire.base import RequestModel, ResponseModel


class DataModelCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)
    task: Task = "binary_classification"
    target_column: str | None = Field(default=None, min_length=1, max_length=255)
    feature_columns: list[str] = Field(
        default_factory=list, max_length=2_000, description="Empty: every column but the target."
    )


class DataModelUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    task: Task | None = None
    target_column: str | None = Field(default=None, min_length=1, max_length=255)
    feature_columns: list[str] | None = Field(default=None, max_length=2_000)


class DataModelRead(ResponseModel):
    id: uuid.UUID
    name: str
    description: str
    task: str
    target_column: str | None
    feature_columns: list[str]
    created_at: datetime
    updated_at: datetime
