from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base, IdMixin, TimestampMixin


class Org(IdMixin, TimestampMixin, Base):
    """A tenant: the hard isolation boundary."""

    __tablename__ = "orgs"
    __audit__ = {"resource": "org"}

    name: Mapped[str] = mapped_column(String(200), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    #: Requests per org on the API, e.g. ``"1000/hour,100/minute"``; None: the server default.
    rate_limit: Mapped[str | None] = mapped_column(String(200), default=None)
