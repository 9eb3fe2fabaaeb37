from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin


class SyftModel(SpaceOwnedMixin, Base):
    """Seed 003: a space's named view on a model of the org's registry, entitled in the space.

    ``owns_model`` / ``owns_connection``: the registry rows were made for this view (from its
    ``configuration``) and go with it; a view over an existing ``tenant_model_id`` leaves them.
    """

    __tablename__ = "syft_models"
    __table_args__ = (
        Index("ix_syft_models_scope", "org_id", "space_id", "id"),
        Index("uq_syft_models_space_name", "org_id", "space_id", "name", unique=True),
    )
    __audit__ = {"resource": "syft_model", "space_attr": "space_id"}

    name: Mapped[str] = mapped_column(String(200))
    dtype: Mapped[str] = mapped_column(String(32), default="openai")
    summary: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(String(1000), default="")
    system_prompt: Mapped[str | None] = mapped_column(Text, default=None)
    tenant_model_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("registered_models.id", ondelete="CASCADE")
    )
    connection_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("provider_connections.id", ondelete="SET NULL"), default=None
    )
    owns_model: Mapped[bool] = mapped_column(default=False)
    owns_connection: Mapped[bool] = mapped_column(default=False)
    #: The entitlement was granted for this view (revoked with it).
    granted: Mapped[bool] = mapped_column(default=False)
