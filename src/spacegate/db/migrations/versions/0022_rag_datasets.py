"""rag datasets: datasets, their documents and chunks, with the lexical index of each database

Revision ID: 0022
Revises: 0024
Create Date: 2026-12-07 09:40:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import spacegate.db.types

revision: str = "0022"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")
WHEN = spacegate.db.types.UTCDateTime(timezone=True)


def _owned(table: str) -> list[Any]:
    return [
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("space_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f(f"fk_{table}_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["spaces.id"],
            name=op.f(f"fk_{table}_space_id_spaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("dtype", sa.String(length=32), nullable=False),
        sa.Column("configuration", JSON, nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        *_owned("datasets"),
    )
    op.create_index("ix_datasets_scope", "datasets", ["org_id", "space_id", "id"])
    op.create_index("ix_datasets_space_name", "datasets", ["space_id", "name"], unique=True)

    op.create_table(
        "dataset_documents",
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=1024), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("path", sa.String(length=4096), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("indexed_sha256", sa.String(length=64), nullable=True),
        sa.Column("indexed_at", WHEN, nullable=True),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_dataset_documents_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        *_owned("dataset_documents"),
    )
    op.create_index("ix_dataset_documents_scope", "dataset_documents", ["org_id", "space_id", "id"])
    op.create_index("ix_dataset_documents_dataset", "dataset_documents", ["dataset_id", "filename"])

    op.create_table(
        "dataset_chunks",
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("metadata", JSON, nullable=False),
        sa.Column("token_count", sa.Integer(), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("embedding_model", sa.String(length=200), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_dataset_chunks_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["dataset_documents.id"],
            name=op.f("fk_dataset_chunks_document_id_dataset_documents"),
            ondelete="CASCADE",
        ),
        *_owned("dataset_chunks"),
    )
    op.create_index("ix_dataset_chunks_document", "dataset_chunks", ["document_id", "position"])
    op.create_index(
        "ix_dataset_chunks_dataset", "dataset_chunks", ["dataset_id", "embedding_model"]
    )
    op.create_index("ix_dataset_chunks_seq", "dataset_chunks", ["seq"], unique=True)

    if op.get_bind().dialect.name == "postgresql":
        # Full-text search: a generated tsvector beside the text, GIN-indexed.
        op.execute(
            "ALTER TABLE dataset_chunks ADD COLUMN tsv tsvector "
            "GENERATED ALWAYS AS (to_tsvector('english', content)) STORED"
        )
        op.execute("CREATE INDEX ix_dataset_chunks_tsv ON dataset_chunks USING gin (tsv)")
    else:
        # FTS5 over the chunks' text (external content: the text is stored once), kept in
        # step by triggers so every write path, cascades included, updates it.
        op.execute(
            "CREATE VIRTUAL TABLE dataset_chunks_fts USING fts5(content, "
            "content='dataset_chunks', content_rowid='seq', tokenize='porter unicode61')"
        )
        op.execute(
            "CREATE TRIGGER dataset_chunks_fts_ai AFTER INSERT ON dataset_chunks BEGIN "
            "INSERT INTO dataset_chunks_fts(rowid, content) VALUES (new.seq, new.content); END"
        )
        op.execute(
            "CREATE TRIGGER dataset_chunks_fts_ad AFTER DELETE ON dataset_chunks BEGIN "
            "INSERT INTO dataset_chunks_fts(dataset_chunks_fts, rowid, content) "
            "VALUES ('delete', old.seq, old.content); END"
        )
        op.execute(
            "CREATE TRIGGER dataset_chunks_fts_au AFTER UPDATE OF content, seq ON dataset_chunks "
            "BEGIN INSERT INTO dataset_chunks_fts(dataset_chunks_fts, rowid, content) "
            "VALUES ('delete', old.seq, old.content); "
            "INSERT INTO dataset_chunks_fts(rowid, content) VALUES (new.seq, new.content); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for trigger in ("dataset_chunks_fts_au", "dataset_chunks_fts_ad", "dataset_chunks_fts_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS dataset_chunks_fts")
    op.drop_table("dataset_chunks")
    op.drop_table("dataset_documents")
    op.drop_table("datasets")
