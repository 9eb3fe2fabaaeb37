"""Wire schemas of ``spacegate.api.factory.trainings``: pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from spacegate.wire.base import RequestModel, ResponseModel
from spacegate.wire.factory.schemas import ConnectorFiles

Architecture = Field(
    min_length=1,
    max_length=64,
    description="logistic_regression, gradient_boosting, hist_gradient_boosting or random_forest.",
)


class TrainingCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    architecture: str = Architecture
    configuration: dict[str, Any] = Field(
        description="The architecture's hyperparameters (see the README); unknown ones are a 422."
    )
    connectors: list[ConnectorFiles] = Field(min_length=1, max_length=20)
    data_model_id: uuid.UUID
    gpu_count: int = Field(ge=0, le=1024)
    benchmark_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)


class TrainingUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    architecture: str | None = Field(default=None, min_length=1, max_length=64)
    configuration: dict[str, Any] | None = None
    benchmark_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)
    connector: ConnectorFiles | None = Field(
        default=None, description="Seed 004's ``UpdateConnectorTraining``: the files to read."
    )


class CheckpointBrief(ResponseModel):
    id: uuid.UUID
    name: str
    step: int
    created_at: datetime


class TrainingRead(ResponseModel):
    id: uuid.UUID
    name: str
    architecture: str
    configuration: dict[str, Any]
    connectors: list[dict[str, Any]]
    data_model_id: uuid.UUID
    gpu_count: int
    benchmark_ids: list[str]
    status: str
    metrics: list[dict[str, Any]]
    checkpoints: list[CheckpointBrief]
    error: str | None
    job_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
