from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base, IdMixin
from spacegate.db.types import UTCDateTime
from spacegate.kit.clock import utcnow


class ModelTarget(IdMixin, Base):
    """One place a registered model can be served from: a connection and its upstream model name."""

    __tablename__ = "model_targets"
    __audit__ = {"resource": "model_target"}

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    model_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("registered_models.id", ondelete="CASCADE"), index=True
    )
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("provider_connections.id", ondelete="RESTRICT"), index=True
    )
    upstream_model: Mapped[str] = mapped_column(String(200))
    #: Lower is tried first under the ``priority`` strategy.
    priority: Mapped[int] = mapped_column(Integer, default=0)
    #: Share of traffic under ``round_robin`` (weighted).
    weight: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
