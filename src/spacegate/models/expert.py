from __future__ import annotations

from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.db.types import JSONType


class Expert(SpaceOwnedMixin, Base):
    """Seed 004 copilot: a specialist a chat turn can be routed to (instructions, files, tools)."""

    __tablename__ = "experts"
    __table_args__ = (Index("ix_experts_scope", "org_id", "space_id", "id"),)
    __audit__ = {"resource": "expert", "space_attr": "space_id"}

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: The expert's instructions (the system prompt of the turns it answers).
    context: Mapped[str] = mapped_column(Text, default="")
    #: ``{"text": ...}`` passages, or ``{"dataset_id": ...}`` references to the space's datasets.
    file_context: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    #: OpenAI function tools, offered to the model on the expert's turns.
    tools: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
