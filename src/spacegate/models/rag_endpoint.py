from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.db.types import UTCDateTime


class RagEndpoint(SpaceOwnedMixin, Base):
    """Seed 003: the queryable unit, an optional dataset and an optional model behind policies."""

    __tablename__ = "rag_endpoints"
    __table_args__ = (
        Index("ix_rag_endpoints_scope", "org_id", "space_id", "id"),
        Index("uq_rag_endpoints_space_slug", "org_id", "space_id", "slug", unique=True),
        Index("ix_rag_endpoints_published", "org_id", "published"),
    )
    __audit__ = {"resource": "endpoint", "space_attr": "space_id"}

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(String(1000), default="")
    #: A dataset of the space; the endpoint stays when the dataset goes (then null).
    dataset_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("datasets.id", ondelete="SET NULL"), default=None
    )
    model_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("syft_models.id", ondelete="SET NULL"), default=None
    )
    response_type: Mapped[str] = mapped_column(String(16), default="both")
    published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
