from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base, IdMixin
from spacegate.db.types import JSONType, UTCDateTime
from spacegate.kit.clock import utcnow


class IdempotencyKey(IdMixin, Base):
    """A claimed ``Idempotency-Key`` and, once the request completed, its stored response."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("org_id", "key"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow)
    response_status: Mapped[int | None] = mapped_column(Integer, default=None)
    response_headers: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
