from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base, IdMixin, TimestampMixin
from spacegate.db.types import JSONType, UTCDateTime
from spacegate.kit.clock import utcnow


class Job(IdMixin, TimestampMixin, Base):
    """A unit of durable background work (an ingestion, a scan, a training ...).

    Claimed by one worker at a time under a lease it renews; a worker that dies leaves a lease
    that runs out, and the job is claimed again (``attempts`` counts the tries).
    """

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_status_run_after", "status", "run_after"),
        Index("ix_jobs_scope", "org_id", "space_id", "kind", "subject_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    space_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), default=None
    )
    #: Who asked for it: the work runs with this caller's rights (its model calls too).
    created_by: Mapped[uuid.UUID | None] = mapped_column(default=None)
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    kind: Mapped[str] = mapped_column(String(64))
    #: The object the job works on (a document, a training ...).
    subject_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    #: queued | running | succeeded | failed | cancelled
    status: Mapped[str] = mapped_column(String(16), default="queued")
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    progress: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    worker: Mapped[str | None] = mapped_column(String(128), default=None)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
