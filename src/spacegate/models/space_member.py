from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base, IdMixin
from spacegate.db.types import JSONType, UTCDateTime
from spacegate.kit.clock import utcnow


class SpaceMember(IdMixin, Base):
    """A user's membership of a space, with the permissions they hold there."""

    __tablename__ = "space_members"
    __table_args__ = (UniqueConstraint("space_id", "user_id"),)
    __audit__ = {"resource": "space_member", "space_attr": "space_id"}

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    space_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    permissions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
