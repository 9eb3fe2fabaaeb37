"""provider connections: whether the base URL's host resolved when it was set

A base URL whose host does not resolve at registration (DNS down, a name that exists only on the
egress side) is accepted; the connection records it so the API can say so.

Revision ID: 0020
Revises: 0021
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("provider_connections", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("base_url_resolved", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("provider_connections", schema=None) as batch_op:
        batch_op.drop_column("base_url_resolved")
