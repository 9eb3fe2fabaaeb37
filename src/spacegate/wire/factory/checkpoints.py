"""Wire schemas of checkpoints (``/v1/checkpoints``): pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from spacegate.wire.base import RequestModel, ResponseModel

#: Rows one scoring request may send.
MAX_ROWS = 10_000


class CheckpointFilters(BaseModel):
    training_id: uuid.UUID | None = None


class CheckpointRead(ResponseModel):
    id: uuid.UUID
    name: str
    training_id: uuid.UUID
    step: int
    architecture: str
    feature_columns: list[str]
    metrics: dict[str, Any]
    size_bytes: int
    sha256: str
    created_at: datetime


class ScoreRequest(RequestModel):
    rows: list[dict[str, Any]] = Field(
        min_length=1, max_length=MAX_ROWS, description="Rows with the checkpoint's feature columns."
    )


class Prediction(BaseModel):
    score: float = Field(description="Probability of the positive class.")
    label: Any


class ScoreResponse(BaseModel):
    checkpoint_id: uuid.UUID
    predictions: list[Prediction]
