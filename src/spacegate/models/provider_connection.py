from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base, IdMixin, TimestampMixin
from spacegate.db.types import JSONType


class ProviderConnection(IdMixin, TimestampMixin, Base):
    """How to reach one upstream provider account. The credential is encrypted, never returned."""

    __tablename__ = "provider_connections"
    __table_args__ = (UniqueConstraint("org_id", "name"),)
    __audit__ = {"resource": "provider", "secret": {"api_key_ciphertext"}}

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Wire protocol: ``openai`` (any OpenAI-compatible server), ``anthropic``, ``azure_openai``.
    type: Mapped[str] = mapped_column(String(32))
    base_url: Mapped[str] = mapped_column(String(2048))
    #: AES-GCM ciphertext (nonce + data), authenticated with the org and connection ids.
    api_key_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    #: A masked hint such as ``sk-…abcd``; the only part of the credential the API ever shows.
    api_key_hint: Mapped[str | None] = mapped_column(String(32), default=None)
    #: Which server key encrypted the credential (for rotation).
    key_version: Mapped[int] = mapped_column(Integer, default=1)
    #: Protocol extras, e.g. ``{"api_version": "2024-10-21"}`` for Azure, extra headers.
    config: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: Optional per-connection limits, e.g. ``{"rpm": 600, "tpm": 100000}``.
    limits: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: False when the base URL's host did not resolve when it was set (DNS down, a name only the
    #: egress side knows); the gateway resolves and checks it again before every new connection.
    base_url_resolved: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
