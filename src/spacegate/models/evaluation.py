from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.db.types import JSONType


class Evaluation(SpaceOwnedMixin, Base):
    """Seed 004 factory: one checkpoint measured on one benchmark."""

    __tablename__ = "evaluations"
    __table_args__ = (
        Index("ix_evaluations_scope", "org_id", "space_id", "id"),
        Index("ix_evaluations_checkpoint", "checkpoint_id", "benchmark_id"),
    )
    __audit__ = {"resource": "evaluation", "space_attr": "space_id"}

    benchmark_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("benchmarks.id", ondelete="CASCADE"))
    checkpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("checkpoints.id", ondelete="CASCADE")
    )
    gpu_count: Mapped[int] = mapped_column(default=0)
    #: queued | running | succeeded | failed
    status: Mapped[str] = mapped_column(String(16), default="queued")
    #: ``{metric: value}`` for every metric of the benchmark.
    result: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: The ROC curve on the benchmark's rows (``metrics.roc_curve``: fpr, tpr, thresholds, auc),
    #: beside ``result`` rather than in it: ``result`` is seed 004's shape, echoed by leaderboards.
    roc: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    job_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
