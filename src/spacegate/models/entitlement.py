from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base, IdMixin, TimestampMixin
from spacegate.db.types import JSONType, UTCDateTime


class Entitlement(IdMixin, TimestampMixin, Base):
    """Space x model: whether, how much and for what a space may use a model.

    Aimable's "allowed model" and MechaMental's "model entitlement" are both this row.
    At most one entitlement per space is the default (a partial unique index enforces it).
    """

    __tablename__ = "entitlements"
    __table_args__ = (
        UniqueConstraint("space_id", "model_id"),
        Index("ix_entitlements_org_id_space_id_id", "org_id", "space_id", "id"),
        Index(
            "uq_entitlements_one_default_per_space",
            "space_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )
    __audit__ = {
        "resource": "entitlement",
        "space_attr": "space_id",
        "ignore": {"request_count", "total_tokens", "last_used_at"},
    }

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    space_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    model_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("registered_models.id", ondelete="CASCADE"), index=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    workspace_limits: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: Empty list: any.
    allowed_step_types: Mapped[list[str]] = mapped_column(JSONType, default=list)
    allowed_endpoints: Mapped[list[str]] = mapped_column(JSONType, default=list)
    allowed_purposes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    request_count: Mapped[int] = mapped_column(BigInteger, default=0)
    total_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    granted_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
