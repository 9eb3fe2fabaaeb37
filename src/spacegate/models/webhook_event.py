from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.db.types import JSONType, UTCDateTime


class WebhookEvent(SpaceOwnedMixin, Base):
    """An inbound status update (seed 004 ``POST /webhooks``), kept once per event id."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        Index("ix_webhook_events_scope", "org_id", "space_id", "id"),
        Index("ix_webhook_events_event", "space_id", "event_id", unique=True),
    )

    event_id: Mapped[str] = mapped_column(String(255))
    event: Mapped[str | None] = mapped_column(String(64), default=None)
    type: Mapped[str | None] = mapped_column(String(64), default=None)
    name: Mapped[str | None] = mapped_column(String(255), default=None)
    status: Mapped[str | None] = mapped_column(String(64), default=None)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    #: What the event changed: ``{"training": "<id>"}``, or empty when it named nothing known.
    applied: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
