from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.db.types import JSONType


class Benchmark(SpaceOwnedMixin, Base):
    """Seed 004 factory: fixed test data, a task and the metrics a checkpoint is judged by."""

    __tablename__ = "benchmarks"
    __table_args__ = (Index("ix_benchmarks_scope", "org_id", "space_id", "id"),)
    __audit__ = {"resource": "benchmark", "space_attr": "space_id"}

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    task: Mapped[str] = mapped_column(String(64))
    metrics: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: ``[{connector_id, files[]}]``
    connectors: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
