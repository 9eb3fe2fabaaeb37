from __future__ import annotations

from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.db.types import JSONType


class Chat(SpaceOwnedMixin, Base):
    """Seed 004 copilot: a persisted conversation and the settings its turns default to."""

    __tablename__ = "chats"
    __table_args__ = (
        Index("ix_chats_scope", "org_id", "space_id", "id"),
        Index("ix_chats_scope_name", "org_id", "space_id", "name"),
    )
    __audit__ = {"resource": "chat", "space_attr": "space_id"}

    name: Mapped[str] = mapped_column(String(200))
    #: The conversation, oldest first, in OpenAI's message shape (tool calls included).
    messages: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    model: Mapped[str | None] = mapped_column(String(200), default=None)
    expert_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    guard_enabled: Mapped[bool] = mapped_column(default=False)
    router_enabled: Mapped[bool] = mapped_column(default=False)
    max_tokens: Mapped[int | None] = mapped_column(default=None)
    temperature: Mapped[float | None] = mapped_column(default=None)
    type: Mapped[str | None] = mapped_column(String(64), default=None)
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: The last turn's answer as it was sent (``model.ChatResponse``).
    last_response: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
