from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base, IdMixin, TimestampMixin


class SyftSettings(IdMixin, TimestampMixin, Base):
    """Seed 003 "settings": an org's network and marketplace settings (absent: the defaults)."""

    __tablename__ = "syft_settings"
    __audit__ = {"resource": "syft_settings"}

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("orgs.id", ondelete="CASCADE"), unique=True
    )
    #: Where the org's endpoints are reached from outside (None: the address of the request).
    public_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    catalogue_enabled: Mapped[bool] = mapped_column(default=True)
