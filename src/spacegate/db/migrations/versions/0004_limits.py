"""limits: per-org rate limit override, per-key rpm / tpm / concurrency

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 07:19:39.137623
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rpm", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("tpm", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("max_concurrency", sa.Integer(), nullable=True))

    with op.batch_alter_table("orgs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rate_limit", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orgs", schema=None) as batch_op:
        batch_op.drop_column("rate_limit")

    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("max_concurrency")
        batch_op.drop_column("tpm")
        batch_op.drop_column("rpm")
