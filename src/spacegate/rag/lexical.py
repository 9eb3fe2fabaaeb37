"""Lexical search without a model: SQLite's FTS5 (BM25) on the embedded default, PostgreSQL's
full-text search (``tsvector`` + GIN, ``ts_rank_cd``) on the scale-out path. Scores are
mapped into [0, 1) so a similarity threshold means something.

The work is bounded whatever the query: chunks holding every term (AND) come first, any term
(OR) only when those are fewer than asked for, and only the first ``CANDIDATES`` matches of
each pass are scored (ranking every match of a common word is what made a search slow on
large datasets). A query whose terms are all common therefore ranks a sample of its matches,
not all of them; one with at most ``CANDIDATES`` matches ranks exactly as before."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import Uuid, bindparam, column, func, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.models import DatasetChunk

_TERM = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TERMS = 64
#: The most matches scored per search (per AND / OR pass).
CANDIDATES = 300

Ranked = list[tuple[uuid.UUID, float]]


def terms(query: str) -> list[str]:
    seen: dict[str, None] = {}
    for t in _TERM.findall(query.lower()):
        seen.setdefault(t, None)
    return list(seen)[:MAX_TERMS]


async def search(session: AsyncSession, dataset_id: uuid.UUID, query: str, k: int) -> Ranked:
    words = terms(query)
    if not words:
        return []
    ranked = _postgres if session.get_bind().dialect.name == "postgresql" else _sqlite
    first = await ranked(session, dataset_id, words, every=True, k=k)
    if len(first) >= k or len(words) == 1:
        return first
    # Fewer than k hold every term, so ``first`` is all of them: add the best of the OR pass.
    # Both passes score against the same terms, so their scores compare.
    scores = dict(await ranked(session, dataset_id, words, every=False, k=k)) | dict(first)
    return sorted(scores.items(), key=lambda h: (-h[1], h[0]))[:k]


async def _postgres(
    session: AsyncSession, dataset_id: uuid.UUID, words: list[str], *, every: bool, k: int
) -> Ranked:
    tsv: Any = literal_column("dataset_chunks.tsv")
    matched = func.to_tsquery("english", (" & " if every else " | ").join(words))
    candidates = (
        select(DatasetChunk.id)
        .where(DatasetChunk.dataset_id == dataset_id, tsv.op("@@")(matched))
        .limit(max(CANDIDATES, k))
    )
    # Scored against the OR query in both passes (ts_rank_cd reads each candidate's vector).
    rank = func.ts_rank_cd(tsv, func.to_tsquery("english", " | ".join(words)), 32)  # r/(r+1)
    stmt = (
        select(DatasetChunk.id, rank.label("score"))
        .where(DatasetChunk.id.in_(candidates))
        .order_by(rank.desc(), DatasetChunk.id)
        .limit(k)
    )
    return [(r[0], float(r[1])) for r in (await session.execute(stmt)).all()]


#: FTS5 drives the join (CROSS JOIN fixes SQLite's join order): the full-text match is run
#: once and stops after its first matches, instead of once per chunk of the dataset.
_SQLITE = text(
    "SELECT c.id, bm25(dataset_chunks_fts) AS score FROM dataset_chunks_fts "
    "CROSS JOIN dataset_chunks AS c ON c.seq = dataset_chunks_fts.rowid "
    "WHERE dataset_chunks_fts MATCH :match AND c.dataset_id = :dataset LIMIT :n"
).bindparams(bindparam("dataset", type_=Uuid()))
_SQLITE_COLUMNS = _SQLITE.columns(column("id", Uuid()), column("score"))


async def _sqlite(
    session: AsyncSession, dataset_id: uuid.UUID, words: list[str], *, every: bool, k: int
) -> Ranked:
    match = (" AND " if every else " OR ").join(f'"{w}"' for w in words)
    # No ORDER BY: bm25 (the same for AND and OR) is computed for the rows returned only.
    found = await session.execute(
        _SQLITE_COLUMNS, {"match": match, "dataset": dataset_id, "n": max(CANDIDATES, k)}
    )
    out = []
    for chunk_id, raw in found.all():
        s = max(0.0, -float(raw))  # FTS5's bm25 is negative, lower is better
        out.append((chunk_id, s / (1.0 + s)))
    return sorted(out, key=lambda h: (-h[1], h[0]))[:k]
