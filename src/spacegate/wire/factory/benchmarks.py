"""Wire schemas of ``spacegate.api.factory.benchmarks``: pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from spacegate.factory.tasks import Metric, Task
from spacegate.wire.base import RequestModel, ResponseModel
from spacegate.wire.factory.schemas import ConnectorFiles


class BenchmarkCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(max_length=10_000)
    task: Task
    metrics: list[Metric] = Field(min_length=1, max_length=8)
    connectors: list[ConnectorFiles] = Field(min_length=1, max_length=20)


class BenchmarkUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    task: Task | None = None
    metrics: list[Metric] | None = Field(default=None, min_length=1, max_length=8)
    connector: uuid.UUID | None = Field(
        default=None, description="Seed 004: the connector whose files the benchmark reads."
    )
    connectors: list[ConnectorFiles] | None = Field(default=None, min_length=1, max_length=20)


class BenchmarkRead(ResponseModel):
    id: uuid.UUID
    name: str
    description: str
    task: str
    metrics: list[str]
    connectors: list[dict[str, Any]]
    created_at: datetime
    created_by: uuid.UUID | None
    updated_at: datetime
    updated_by: uuid.UUID | None
