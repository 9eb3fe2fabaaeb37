"""Search a dataset: lexical always, by vector when the dataset names an embedding model and a
caller's model client is given, fused by reciprocal rank when both rank something.

``search_dataset`` is the one entry point (the search route and RAG endpoints use it)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.gateway.inprocess import ModelClient
from spacegate.models import Dataset, DatasetChunk
from spacegate.rag import lexical, vectors

STEP_TYPE = "source_query"
#: Reciprocal rank fusion's constant (Cormack et al.): damps the weight of the very top ranks.
RRF_K = 60


@dataclass(frozen=True)
class Hit:
    document_id: uuid.UUID
    chunk_id: uuid.UUID
    content: str
    metadata: dict[str, Any]
    similarity_score: float
    neighbours: list[str]  # contents of the neighbouring chunks (before/after)


def fuse(rankings: list[list[tuple[uuid.UUID, float]]], k: int = RRF_K) -> list[uuid.UUID]:
    fused: dict[uuid.UUID, float] = defaultdict(float)
    for ranking in rankings:
        for rank, (chunk_id, _score) in enumerate(ranking):
            fused[chunk_id] += 1.0 / (k + rank + 1)
    return sorted(fused, key=lambda c: (-fused[c], c))


async def rank(
    session: AsyncSession,
    dataset: Dataset,
    query: str,
    *,
    limit: int,
    similarity_threshold: float,
    models: ModelClient | None,
    mode: str = "auto",
) -> list[tuple[uuid.UUID, float]]:
    """(chunk id, score) best first. ``mode``: auto (hybrid when it can), lexical or vector."""
    pool = max(limit * 4, 50)
    lex: list[tuple[uuid.UUID, float]] = []
    vec: list[tuple[uuid.UUID, float]] = []
    if mode in ("auto", "lexical"):
        lex = await lexical.search(session, dataset.id, query, pool)
    model = (dataset.configuration or {}).get("embedding_model")
    if mode in ("auto", "vector") and model and models is not None:
        [qv] = await models.labelled(step_type=STEP_TYPE).embed(model, [query])
        vec = await vectors.search(session, dataset.id, model, qv, pool)
    lex = [h for h in lex if h[1] >= similarity_threshold]
    vec = [h for h in vec if h[1] >= similarity_threshold]
    if not (lex and vec):
        return (lex or vec)[:limit]
    # A chunk's reported score is its cosine when it has one, else its lexical score.
    scores = dict(lex) | dict(vec)
    return [(c, scores[c]) for c in fuse([lex, vec])[:limit]]


async def search_dataset(
    session: AsyncSession,
    dataset: Dataset,
    query: str,
    *,
    limit: int = 5,
    similarity_threshold: float = 0.0,
    models: ModelClient | None = None,
) -> list[Hit]:
    """The ``limit`` best chunks for ``query`` with their neighbours. ``models``: a model client
    bound to the caller, for the query's embedding (step type ``source_query``)."""
    query = query.strip()
    if not query or limit < 1:
        return []
    ranked = await rank(
        session,
        dataset,
        query,
        limit=limit,
        similarity_threshold=similarity_threshold,
        models=models,
    )
    if not ranked:
        return []
    ids = [c for c, _ in ranked]
    rows = {
        c.id: c
        for c in (await session.scalars(select(DatasetChunk).where(DatasetChunk.id.in_(ids)))).all()
    }
    wanted = {
        (c.document_id, c.position + d)
        for c in rows.values()
        for d in (-1, 1)
        if c.position + d >= 0
    }
    near: dict[tuple[uuid.UUID, int], str] = {}
    if wanted:
        # Two plain IN lists use the (document_id, position) index on both databases; the few
        # extra pairs they match are dropped here.
        found = await session.execute(
            select(DatasetChunk.document_id, DatasetChunk.position, DatasetChunk.content).where(
                DatasetChunk.document_id.in_(sorted({d for d, _ in wanted})),
                DatasetChunk.position.in_(sorted({p for _, p in wanted})),
            )
        )
        near = {(d, p): text for d, p, text in found.all() if (d, p) in wanted}
    hits = []
    for chunk_id, score in ranked:
        c = rows.get(chunk_id)
        if c is None:
            continue
        around = [
            near[k]
            for k in ((c.document_id, c.position - 1), (c.document_id, c.position + 1))
            if k in near
        ]
        hits.append(
            Hit(
                document_id=c.document_id,
                chunk_id=c.id,
                content=c.content,
                metadata=dict(c.meta or {}),
                similarity_score=round(score, 6),
                neighbours=around,
            )
        )
    return hits
