from __future__ import annotations

from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.db.types import JSONType


class Dataset(SpaceOwnedMixin, Base):
    """Seed 003: a named source of documents a space makes searchable (chunks, vectors)."""

    __tablename__ = "datasets"
    __table_args__ = (
        Index("ix_datasets_scope", "org_id", "space_id", "id"),
        Index("ix_datasets_space_name", "space_id", "name", unique=True),
    )
    __audit__ = {"resource": "dataset", "space_attr": "space_id"}

    name: Mapped[str] = mapped_column(String(200))
    dtype: Mapped[str] = mapped_column(String(32))
    configuration: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    summary: Mapped[str | None] = mapped_column(Text, default=None)
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
