from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base, IdMixin
from spacegate.db.types import JSONType, UTCDateTime
from spacegate.kit.clock import utcnow


class Invitation(IdMixin, Base):
    """A pending invitation to a space. The token is stored only as a hash and works once."""

    __tablename__ = "invitations"
    __audit__ = {"resource": "invitation", "space_attr": "space_id", "secret": {"token_hash"}}

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    space_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    permissions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: The org role a newly created user gets on accepting.
    role: Mapped[str] = mapped_column(String(32), default="developer")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    accepted_user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
