from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.db.types import JSONType


class RagPolicy(SpaceOwnedMixin, Base):
    """Seed 003: one policy (access, rate_limit, pii_filter) attached to one endpoint."""

    __tablename__ = "rag_policies"
    __table_args__ = (
        Index("ix_rag_policies_scope", "org_id", "space_id", "id"),
        Index("ix_rag_policies_endpoint", "endpoint_id"),
    )
    __audit__ = {"resource": "policy", "space_attr": "space_id"}

    name: Mapped[str] = mapped_column(String(200))
    policy_type: Mapped[str] = mapped_column(String(32))
    configuration: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("rag_endpoints.id", ondelete="CASCADE")
    )
