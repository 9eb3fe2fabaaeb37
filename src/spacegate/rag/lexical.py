"""Lexical search without a model: SQLite's FTS5 (BM25) on the embedded default, PostgreSQL's
full-text search (``tsvector`` + GIN, ``ts_rank_cd``) on the scale-out path. Scores are
mapped into [0, 1) so a similarity threshold means something.

On PostgreSQL the work is bounded whatever the query: chunks holding every term (AND, through
the GIN index) come first, any term (OR) only when those are fewer than asked for, and only
the first ``CANDIDATES`` matches of each are ranked (``ts_rank_cd`` reads each one's vector,
so ranking every match of a common word is what made a search slow on large datasets). A
query whose terms are all common therefore ranks a sample of its matches, not all of them."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import column, func, literal_column, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.models import DatasetChunk

_TERM = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TERMS = 64
#: The most matches ranked per search on PostgreSQL (per AND / OR pass).
CANDIDATES = 300
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
        return await _postgres(session, dataset_id, words, k)
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


async def _postgres(
    session: AsyncSession, dataset_id: uuid.UUID, words: list[str], k: int
) -> list[tuple[uuid.UUID, float]]:
    every = func.to_tsquery("english", " & ".join(words))
    some = func.to_tsquery("english", " | ".join(words))
    tsv: Any = literal_column("dataset_chunks.tsv")

    def matches(tsq: Any) -> Any:
        return (
            select(DatasetChunk.id)
            .where(DatasetChunk.dataset_id == dataset_id, tsv.op("@@")(tsq))
            .limit(max(CANDIDATES, k))
        )

    async def ranked(candidates: Any) -> list[tuple[uuid.UUID, float]]:
        # Every candidate is scored against the OR query, so scores compare across passes.
        rank = func.ts_rank_cd(tsv, some, 32)  # 32: rank / (rank + 1)
        stmt = (
            select(DatasetChunk.id, rank.label("score"))
            .where(DatasetChunk.id.in_(candidates))
            .order_by(rank.desc(), DatasetChunk.id)
            .limit(k)
        )
        return [(r[0], float(r[1])) for r in (await session.execute(stmt)).all()]

    first = await ranked(matches(every))
    if len(first) >= k or len(words) == 1:
        return first
    # Fewer than k hold every term, so ``first`` is all of them: add the best of the OR pass.
    scores = dict(await ranked(matches(some))) | dict(first)
    return sorted(scores.items(), key=lambda h: (-h[1], h[0]))[:k]
