from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base, IdMixin, TimestampMixin
from spacegate.db.types import JSONType


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("org_id", "email"),)
    __audit__ = {"resource": "user"}

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    external_id: Mapped[str | None] = mapped_column(String(200), default=None)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(32))
    #: Permissions granted on top of the role's, org-wide.
    permissions: Mapped[list[str]] = mapped_column(JSONType, default=list)
