from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base, IdMixin
from spacegate.db.types import JSONType, UTCDateTime
from spacegate.kit.clock import utcnow


class InferenceLog(IdMixin, Base):
    """One row per gateway call (seed 004 "inference-logs"). Written in batches off the hot path."""

    __tablename__ = "inference_logs"
    __table_args__ = (
        Index("ix_inference_logs_org_id_created_at", "org_id", "created_at"),
        Index("ix_inference_logs_org_id_space_id_created_at", "org_id", "space_id", "created_at"),
        Index("ix_inference_logs_org_id_correlation_id", "org_id", "correlation_id"),
        Index(
            "ix_inference_logs_org_id_api_key_id_created_at", "org_id", "api_key_id", "created_at"
        ),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    space_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    model_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    #: The alias the caller used (or the default model's alias).
    model: Mapped[str] = mapped_column(String(200), default="")
    upstream_model: Mapped[str | None] = mapped_column(String(200), default=None)
    connection_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    #: ``chat.completions``, ``completions`` or ``embeddings``.
    endpoint: Mapped[str] = mapped_column(String(32))
    #: Seed's request type: the caller-declared type, else the endpoint.
    type: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str | None] = mapped_column(String(64), default=None)
    step_type: Mapped[str | None] = mapped_column(String(32), default=None)
    status: Mapped[str] = mapped_column(String(16))  # success | error
    http_status: Mapped[int] = mapped_column(Integer)
    stream: Mapped[bool] = mapped_column(Boolean, default=False)
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    correlation_id: Mapped[str | None] = mapped_column(String(128), default=None)
    request_id: Mapped[str | None] = mapped_column(String(128), default=None)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    total_tokens: Mapped[int] = mapped_column(Integer, default=0)
    usage_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    cost: Mapped[Decimal] = mapped_column(Numeric(18, 8), default=Decimal(0))
    latency_ms: Mapped[float] = mapped_column(default=0.0)
    overhead_ms: Mapped[float] = mapped_column(default=0.0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    #: The error's machine code (OpenAI envelope ``code``), e.g. ``rate_limit_exceeded``.
    error_code: Mapped[str | None] = mapped_column(String(64), default=None)
    #: Refused by Spacegate itself (entitlement, capability, limit, budget, bad request): no
    #: provider was called and no token was used.
    refused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Which rule or limit refused it: ``rpm``, ``key-tpm``, ``token_budget``,
    #: ``allowed_endpoints``, ``capabilities`` ...
    refused_by: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
