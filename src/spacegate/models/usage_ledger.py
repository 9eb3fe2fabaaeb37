from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Index, Numeric
from sqlalchemy.orm import Mapped, mapped_column

from spacegate.db.base import Base, IdMixin
from spacegate.db.types import UTCDateTime
from spacegate.kit.clock import utcnow


class UsageLedgerEntry(IdMixin, Base):
    """Append-only usage: one row per space x model x key x 15-minute bucket per metering batch.

    Budgets and reports sum these rows. Quarter-hour buckets line up with the calendar days of every
    real time zone, so an org's budget period can follow its own midnight. Rows are never updated,
    nor deleted with logs, so deleting inference logs cannot re-open a spent budget.
    """

    __tablename__ = "usage_ledger"
    __table_args__ = (
        Index(
            "ix_usage_ledger_org_space_model_bucket",
            "org_id",
            "space_id",
            "model_id",
            "bucket_start",
        ),
        # Org-wide reports (no space filter) read one org's period, not its every row.
        Index("ix_usage_ledger_org_id_bucket_start", "org_id", "bucket_start"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    space_id: Mapped[uuid.UUID]
    model_id: Mapped[uuid.UUID]
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    bucket_start: Mapped[datetime] = mapped_column(UTCDateTime())
    requests: Mapped[int] = mapped_column(BigInteger, default=0)
    input_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    output_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    total_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    cost: Mapped[Decimal] = mapped_column(Numeric(18, 8), default=Decimal(0))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
