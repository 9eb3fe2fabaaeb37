from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.db.types import UTCDateTime


class Action(SpaceOwnedMixin, Base):
    """Seed 004 copilot: a commercial "next best action" the insights choose among."""

    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_scope", "org_id", "space_id", "id"),)
    __audit__ = {"resource": "action", "space_attr": "space_id"}

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str] = mapped_column(String(100))
    priority: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    #: The channel, or a comma-separated list of the channels the action may use.
    channel: Mapped[str | None] = mapped_column(String(500), default=None)
    channel_template: Mapped[str | None] = mapped_column(Text, default=None)
    custom_insights: Mapped[str | None] = mapped_column(Text, default=None)
    #: A model entitled in the space (alias or tenant_model_id), as the caller named it.
    model_id: Mapped[str | None] = mapped_column(String(200), default=None)
    start_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    end_date: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    group_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("action_groups.id", ondelete="SET NULL"), default=None
    )
