from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base, IdMixin
from spacegate.db.types import JSONType, UTCDateTime
from spacegate.kit.clock import utcnow


class AuditLog(IdMixin, Base):
    """One change to one row, written in the same transaction as the change. Append-only."""

    __tablename__ = "audit_logs"
    __table_args__ = (Index("ix_audit_logs_org_id_id", "org_id", "id"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    actor_type: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    resource: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    space_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    request_id: Mapped[str | None] = mapped_column(String(128), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
