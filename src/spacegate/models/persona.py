from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.db.types import JSONType


class Persona(SpaceOwnedMixin, Base):
    """Seed 004 copilot: a customer profile the copilot writes insights and arguments for."""

    __tablename__ = "personas"
    __table_args__ = (
        Index("ix_personas_scope", "org_id", "space_id", "id"),
        Index("ix_personas_scope_match", "org_id", "space_id", "name_key", "birthdate"),
    )
    __audit__ = {"resource": "persona", "space_attr": "space_id"}

    name: Mapped[str] = mapped_column(String(200))
    #: The name folded for matching (case, accents, spacing): an import matches on it + birthdate.
    name_key: Mapped[str] = mapped_column(String(200))
    birthdate: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
