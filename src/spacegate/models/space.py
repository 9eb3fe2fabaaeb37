from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base, IdMixin, TimestampMixin
from spacegate.db.types import UTCDateTime


class Space(IdMixin, TimestampMixin, Base):
    """A workspace inside an org. Deleting is soft: ``deleted_at`` hides it until restored."""

    __tablename__ = "spaces"
    __table_args__ = (Index("ix_spaces_org_id_id", "org_id", "id"),)
    __audit__ = {"resource": "space", "space_attr": "id"}

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    #: Aimable model-policy mode: ``fixed`` (always the default model) or ``dynamic``.
    model_mode: Mapped[str] = mapped_column(String(16), default="dynamic", server_default="dynamic")
