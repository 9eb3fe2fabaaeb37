from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.db.types import JSONType

if TYPE_CHECKING:
    from spacegate.models.checkpoint import Checkpoint


class Training(SpaceOwnedMixin, Base):
    """Seed 004 factory: one training run of an architecture on a data model's files."""

    __tablename__ = "trainings"
    __table_args__ = (Index("ix_trainings_scope", "org_id", "space_id", "id"),)
    __audit__ = {"resource": "training", "space_attr": "space_id"}

    name: Mapped[str] = mapped_column(String(200))
    architecture: Mapped[str] = mapped_column(String(64))
    configuration: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: ``[{connector_id, files[]}]``
    connectors: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    data_model_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("data_models.id", ondelete="RESTRICT")
    )
    gpu_count: Mapped[int] = mapped_column(default=0)
    benchmark_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: queued | running | succeeded | failed | cancelled
    status: Mapped[str] = mapped_column(String(16), default="queued")
    #: One entry per iteration: ``{step, train_log_loss, validation_log_loss, ...}``.
    metrics: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    job_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    checkpoints: Mapped[list[Checkpoint]] = relationship(
        lazy="selectin",
        order_by="Checkpoint.step",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
