"""dataset chunk vectors in pgvector, where the extension can be created

Revision ID: 0027
Revises: 0023
Create Date: 2026-12-07 12:30:00.000000

On PostgreSQL with pgvector available (``CREATE EXTENSION vector`` succeeds), the chunks'
vectors are mirrored into ``dataset_chunk_vectors`` (one untyped ``vector`` column, the
dimension beside it) so searches use an HNSW index (cosine), one partial index per dimension,
made by the first write of that dimension (``rag.pgvector``). Without the extension nothing is
made and the vectors are scanned exactly, as on SQLite (``spacegate.db.pgvector_schema``, run
again by every upgrade, makes it once the extension can be created).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from spacegate.db import pgvector_schema

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pgvector_schema.install(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS dataset_chunk_vectors")
