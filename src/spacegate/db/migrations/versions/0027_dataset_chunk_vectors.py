"""dataset chunk vectors in pgvector, where the extension can be created

Revision ID: 0027
Revises: 0023
Create Date: 2026-12-07 12:30:00.000000

On PostgreSQL with pgvector available (``CREATE EXTENSION vector`` succeeds), the chunks'
vectors are mirrored into ``dataset_chunk_vectors`` (one untyped ``vector`` column, the
dimension beside it) so searches use an HNSW index (cosine), one partial index per dimension,
made by the first write of that dimension (``rag.pgvector``). Without the extension nothing is
made and the vectors are scanned exactly, as on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL_BATCH = 2000


def _create_extension(bind: sa.Connection) -> bool:
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
    except sa.exc.DBAPIError:
        return False  # not installed on this server, or not ours to create
    return True


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not _create_extension(bind):
        return
    op.execute(
        "CREATE TABLE dataset_chunk_vectors ("
        " chunk_id uuid PRIMARY KEY REFERENCES dataset_chunks(id) ON DELETE CASCADE,"
        " dataset_id uuid NOT NULL,"
        " embedding_model varchar(200) NOT NULL,"
        " dims integer NOT NULL,"
        " embedding vector NOT NULL)"
    )
    op.execute(
        "CREATE INDEX ix_dataset_chunk_vectors_dataset "
        "ON dataset_chunk_vectors (dataset_id, embedding_model)"
    )
    # Vectors written before the extension was there: float32 bytes -> real[] -> vector.
    last = None
    while True:
        where = "embedding IS NOT NULL AND embedding_model IS NOT NULL"
        params: dict[str, object] = {"n": BACKFILL_BATCH}
        if last is not None:
            where += " AND id > :last"
            params["last"] = last
        rows = bind.execute(
            sa.text(
                f"SELECT id, dataset_id, embedding_model, embedding FROM dataset_chunks "  # noqa: S608
                f"WHERE {where} ORDER BY id LIMIT :n"
            ),
            params,
        ).all()
        if not rows:
            break
        import numpy as np

        values = [
            {
                "c": r[0],
                "d": r[1],
                "m": r[2],
                "n": len(r[3]) // 4,
                "v": np.frombuffer(bytes(r[3]), dtype=np.float32).tolist(),
            }
            for r in rows
            if r[3] and len(r[3]) % 4 == 0
        ]
        if values:
            bind.execute(
                sa.text(
                    "INSERT INTO dataset_chunk_vectors "
                    "(chunk_id, dataset_id, embedding_model, dims, embedding) "
                    "VALUES (:c, :d, :m, :n, CAST(CAST(:v AS real[]) AS vector))"
                ),
                values,
            )
        last = rows[-1][0]


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS dataset_chunk_vectors")
