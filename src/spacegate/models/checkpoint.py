from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.db.types import JSONType


class Checkpoint(SpaceOwnedMixin, Base):
    """Seed 004 factory: a stored model state of a training at one step."""

    __tablename__ = "checkpoints"
    __table_args__ = (
        Index("ix_checkpoints_scope", "org_id", "space_id", "id"),
        Index("ix_checkpoints_training", "training_id", "step", unique=True),
    )
    __audit__ = {"resource": "checkpoint", "space_attr": "space_id"}

    training_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    step: Mapped[int] = mapped_column()
    architecture: Mapped[str] = mapped_column(String(64))
    feature_columns: Mapped[list[str]] = mapped_column(JSONType, default=list)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: Relative to the data directory.
    artifact_path: Mapped[str] = mapped_column(String(1024))
    size_bytes: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(String(64))
