from __future__ import annotations

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.db.types import JSONType


class CopilotSettings(SpaceOwnedMixin, Base):
    """A space's copilot settings (at most one row; absent means the defaults)."""

    __tablename__ = "copilot_settings"
    __table_args__ = (Index("uq_copilot_settings_space", "org_id", "space_id", unique=True),)
    __audit__ = {"resource": "copilot_settings", "space_attr": "space_id"}

    #: What the guard refuses: short category names the guard model classifies against.
    guard_categories: Mapped[list[str] | None] = mapped_column(JSONType, default=None)
    #: Models for the guard's and the router's calls (None: the turn's own model).
    guard_model: Mapped[str | None] = mapped_column(String(200), default=None)
    router_model: Mapped[str | None] = mapped_column(String(200), default=None)
    #: A guard that has not answered by then fails the turn closed.
    guard_timeout_seconds: Mapped[float] = mapped_column(default=30.0)
    #: The most history tokens a turn sends (None: the model's context window).
    window_max_tokens: Mapped[int | None] = mapped_column(default=None)
