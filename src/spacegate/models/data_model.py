from __future__ import annotations

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.db.types import JSONType


class DataModel(SpaceOwnedMixin, Base):
    """Seed 004 factory: the definition of the data a training learns from."""

    __tablename__ = "data_models"
    __table_args__ = (Index("ix_data_models_scope", "org_id", "space_id", "id"),)
    __audit__ = {"resource": "data_model", "space_attr": "space_id"}

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: binary_classification
    task: Mapped[str] = mapped_column(String(64), default="binary_classification")
    target_column: Mapped[str | None] = mapped_column(String(255), default=None)
    #: Empty: every column but the target.
    feature_columns: Mapped[list[str]] = mapped_column(JSONType, default=list)
