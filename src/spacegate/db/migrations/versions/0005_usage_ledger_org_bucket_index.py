"""usage ledger: index (org_id, bucket_start) for org-wide usage reports

The existing index starts (org_id, space_id, ...): a report over every space of an org used it to
find the org's rows only, then read all of them to keep the requested period.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("usage_ledger", schema=None) as batch_op:
        batch_op.create_index(
            "ix_usage_ledger_org_id_bucket_start", ["org_id", "bucket_start"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("usage_ledger", schema=None) as batch_op:
        batch_op.drop_index("ix_usage_ledger_org_id_bucket_start")
