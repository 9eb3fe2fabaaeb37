"""Wire schemas of ``spacegate.api.factory.evaluations``: pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from spacegate.wire.base import RequestModel, ResponseModel


class EvaluationCreate(RequestModel):
    benchmark_id: uuid.UUID
    checkpoint_id: uuid.UUID
    gpu_count: int = Field(ge=0, le=1024)


class EvaluationFilters(BaseModel):
    benchmark_id: uuid.UUID | None = None
    checkpoint_id: uuid.UUID | None = None
    training_id: uuid.UUID | None = Field(
        default=None, description="Only evaluations of this training's checkpoints."
    )


class EvaluationRead(ResponseModel):
    id: uuid.UUID
    benchmark_id: uuid.UUID
    checkpoint_id: uuid.UUID
    gpu_count: int
    status: str
    result: dict[str, Any] = Field(description="Every metric of the benchmark: its value.")
    error: str | None
    job_id: uuid.UUID | None
    created_at: datetime
    created_by: uuid.UUID | None
    updated_at: datetime
    updated_by: uuid.UUID | None


class RocPoint(BaseModel):
    fpr: float = Field(description="False positive rate at this threshold.")
    tpr: float = Field(description="True positive rate at this threshold.")
    threshold: float | None = Field(
        description="Scores at or above it are called positive; null on the first point "
        "(above every score: nothing is positive)."
    )


class RocCurve(BaseModel):
    evaluation_id: uuid.UUID
    checkpoint_id: uuid.UUID
    benchmark_id: uuid.UUID
    auc: float = Field(description="The exact area under the curve (the result's roc_auc).")
    points: list[RocPoint] = Field(
        description="At most 200 points of the curve, from (0, 0) to (1, 1)."
    )
