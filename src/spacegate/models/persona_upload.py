from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base
from spacegate.db.owned import SpaceOwnedMixin
from spacegate.db.types import JSONType, UTCDateTime


class PersonaUpload(SpaceOwnedMixin, Base):
    """A parsed persona file waiting for its confirmation: nothing is imported until then.

    Only a hash of the upload token is kept; the token is shown once, in the upload's answer.
    """

    __tablename__ = "persona_uploads"
    __table_args__ = (
        Index("ix_persona_uploads_scope", "org_id", "space_id", "id"),
        Index("ix_persona_uploads_token", "token_hash", unique=True),
    )
    __audit__ = {
        "resource": "persona_upload",
        "space_attr": "space_id",
        "ignore": {"rows"},
        "secret": {"token_hash"},
    }

    token_hash: Mapped[str] = mapped_column(String(64))
    filenames: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: The parsed personas ``{name, birthdate, notes, data}``, in file order.
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    total: Mapped[int] = mapped_column(Integer, default=0)
    #: Rows matching a persona at upload time: ``{row, name, birthdate, persona_id}``.
    conflicts: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    conflict_resolution: Mapped[str | None] = mapped_column(String(16), default=None)
