"""inference logs: index (org_id, api_key_id, created_at) for the per-key filter

``GET /v1/inference-logs?api_key_id=...`` (and the console's logs page) read one key's calls
newest first; without this index that meant reading every call of the org in the time range.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inference_logs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inference_logs_org_id_api_key_id_created_at",
            ["org_id", "api_key_id", "created_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("inference_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_inference_logs_org_id_api_key_id_created_at")
