"""Wire schemas of ``spacegate.api.factory.leaderboards``: pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class LeaderboardEntry(BaseModel):
    rank: int | None = Field(description="Position in this order; null without the metric.")
    checkpoint_id: uuid.UUID
    name: str
    training_id: uuid.UUID
    training_name: str | None
    architecture: str
    step: int
    created_at: datetime
    metric_name: str | None
    score: float | None = Field(description="The ordering metric (mean over benchmarks).")
    results: dict[str, dict[str, Any]] = Field(description="Per benchmark id: its metrics.")
