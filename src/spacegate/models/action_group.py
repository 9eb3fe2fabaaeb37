from __future__ import annotations

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin


class ActionGroup(SpaceOwnedMixin, Base):
    """Seed 004 copilot: a named group of commercial actions."""

    __tablename__ = "action_groups"
    __table_args__ = (Index("ix_action_groups_scope", "org_id", "space_id", "id"),)
    __audit__ = {"resource": "action_group", "space_attr": "space_id"}

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
