from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base, IdMixin
from spacegate.db.types import JSONType, UTCDateTime
from spacegate.kit.clock import utcnow


class ApiKey(IdMixin, Base):
    """A credential. Only the SHA-256 of the key is stored; the key itself is shown once."""

    __tablename__ = "api_keys"
    __audit__ = {"resource": "api_key", "ignore": {"last_used_at"}, "secret": {"key_hash"}}

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    #: The user the key acts for; its permissions never exceed that user's.
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    #: When set, the key can only act in this space.
    space_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), default=None, index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    display: Mapped[str] = mapped_column(String(32))
    #: None: everything its user may do. A list: at most those (and never more than the user's).
    permissions: Mapped[list[str] | None] = mapped_column(JSONType, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    #: Optional limits of the key itself, on top of its space's: requests and tokens per
    #: minute, and calls in flight at once. None: no limit.
    rpm: Mapped[int | None] = mapped_column(BigInteger, default=None)
    tpm: Mapped[int | None] = mapped_column(BigInteger, default=None)
    max_concurrency: Mapped[int | None] = mapped_column(Integer, default=None)
