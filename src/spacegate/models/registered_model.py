from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base, IdMixin, TimestampMixin
from spacegate.db.types import JSONType


class RegisteredModel(IdMixin, TimestampMixin, Base):
    """A model in the org's registry (Aimable tenant model, MechaMental logical model).

    ``id`` is the ``tenant_model_id``; ``alias`` is the ``logical_model_id`` and OpenAI's ``model``.
    """

    __tablename__ = "registered_models"
    __table_args__ = (UniqueConstraint("org_id", "alias"),)
    __audit__ = {"resource": "model"}

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    capabilities: Mapped[list[str]] = mapped_column(JSONType, default=list)
    context_window: Mapped[int | None] = mapped_column(Integer, default=None)
    reasoning: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    logo_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    logo_url_dark: Mapped[str | None] = mapped_column(String(2048), default=None)
    #: Prices in the org's currency per million tokens.
    input_price_per_mtok: Mapped[Decimal | None] = mapped_column(Numeric(18, 6), default=None)
    output_price_per_mtok: Mapped[Decimal | None] = mapped_column(Numeric(18, 6), default=None)
    #: Defaults applied to requests, e.g. ``{"temperature": 0.2, "max_tokens": 1024}``.
    request_overrides: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: ``priority`` (fallback in order), ``round_robin`` or ``lowest_latency``.
    routing_strategy: Mapped[str] = mapped_column(String(32), default="priority")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
