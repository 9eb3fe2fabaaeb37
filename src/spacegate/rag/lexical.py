"""Lexical search without a model: SQLite's FTS5 (BM25) on the embedded default, PostgreSQL's
full-text search (``tsvector`` + GIN, ``ts_rank_cd``) on the scale-out path. Any query term
may match (OR); scores are mapped into [0, 1) so a similarity threshold means something."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import column, func, literal_column, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.models import DatasetChunk

_TERM = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TERMS = 64
_FTS = table("dataset_chunks_fts", column("rowid"))


def terms(query: str) -> list[str]:
    seen: dict[str, None] = {}
    for t in _TERM.findall(query.lower()):
        seen.setdefault(t, None)
    return list(seen)[:MAX_TERMS]


async def search(
    session: AsyncSession, dataset_id: uuid.UUID, query: str, k: int
) -> list[tuple[uuid.UUID, float]]:
    words = terms(query)
    if not words:
        return []
    if session.get_bind().dialect.name == "postgresql":
        tsq = func.to_tsquery("english", " | ".join(words))
        tsv: Any = literal_column("dataset_chunks.tsv")
        rank = func.ts_rank_cd(tsv, tsq, 32)  # 32: rank / (rank + 1)
        stmt = (
            select(DatasetChunk.id, rank.label("score"))
            .where(DatasetChunk.dataset_id == dataset_id, tsv.op("@@")(tsq))
            .order_by(rank.desc(), DatasetChunk.id)
            .limit(k)
        )
        return [(r[0], float(r[1])) for r in (await session.execute(stmt)).all()]
    match = " OR ".join(f'"{w}"' for w in words)
    bm25 = func.bm25(literal_column("dataset_chunks_fts"))
    stmt = (
        select(DatasetChunk.id, bm25.label("score"))
        .select_from(_FTS)
        .join(DatasetChunk, DatasetChunk.seq == _FTS.c.rowid)
        .where(literal_column("dataset_chunks_fts").op("MATCH")(match))
        .where(DatasetChunk.dataset_id == dataset_id)
        .order_by(bm25, DatasetChunk.id)
        .limit(k)
    )
    out = []
    for chunk_id, raw in (await session.execute(stmt)).all():
        s = max(0.0, -float(raw))  # FTS5's bm25 is negative, lower is better
        out.append((chunk_id, s / (1.0 + s)))
    return out
