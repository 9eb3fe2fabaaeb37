from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.db.types import JSONType, UTCDateTime


class Argument(SpaceOwnedMixin, Base):
    """Seed 004 copilot: a generated sales argument and the human review it goes through."""

    __tablename__ = "arguments"
    __table_args__ = (
        Index("ix_arguments_scope", "org_id", "space_id", "id"),
        Index("ix_arguments_scope_status", "org_id", "space_id", "review_status"),
    )
    __audit__ = {"resource": "argument", "space_attr": "space_id"}

    #: The action it argues for (kept when the action is deleted: the argument is its history).
    action_id: Mapped[uuid.UUID] = mapped_column()
    client: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    product: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    insight_spec: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    model: Mapped[str | None] = mapped_column(String(200), default=None)
    argument: Mapped[str] = mapped_column(Text, default="")
    argument_thinking: Mapped[str] = mapped_column(Text, default="")
    #: Seconds the generation took.
    duration: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    #: ``{status, reviewer, comments, reviewed_by, updated_at, history[]}``.
    review: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: ``review.status``, as a column the review queue filters on.
    review_status: Mapped[str] = mapped_column(String(16), default="pending")
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
