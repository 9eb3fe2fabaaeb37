"""inference logs: refused calls (error code, refused, which rule or limit refused)

A call Spacegate refuses itself (entitlement, capability, rate limit, budget, bad request) is
logged like any other call, with no provider and no tokens; these columns say why.

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inference_logs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("error_code", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("refused", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("refused_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inference_logs", schema=None) as batch_op:
        batch_op.drop_column("refused_by")
        batch_op.drop_column("refused")
        batch_op.drop_column("error_code")
