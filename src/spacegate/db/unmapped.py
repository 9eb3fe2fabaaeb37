"""Schema objects the migrations make that no ORM table describes: each database's lexical
index of dataset chunks (SQLite's FTS5 table and its shadow tables, PostgreSQL's generated
``tsvector`` column) and, where pgvector is there, the chunks' mirrored vectors. Schema
comparisons skip them."""

from __future__ import annotations

from typing import Any

TABLE_PREFIXES = ("dataset_chunks_fts", "dataset_chunk_vectors")
COLUMNS = {("dataset_chunks", "tsv")}
INDEXES = {"ix_dataset_chunks_tsv"}


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    if not reflected or name is None:
        return True
    if type_ == "table":
        return not name.startswith(TABLE_PREFIXES)
    if type_ == "column":
        return (obj.table.name, name) not in COLUMNS
    if type_ == "index":
        return name not in INDEXES
    return True
