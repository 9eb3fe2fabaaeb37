"""Search a dataset: lexical always, by vector when the dataset names an embedding model and a
caller's model client is given, fused by reciprocal rank when both rank something.

``search_dataset`` is the one entry point (the search route and RAG endpoints use it)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

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
    # The hits and their neighbours in one statement (the (document_id, position) index finds
    # each neighbour); a hit with none comes back once, its neighbour's columns null.
    hit, near_ = aliased(DatasetChunk), aliased(DatasetChunk)
    found = await session.execute(
        select(
            hit.id,
            hit.document_id,
            hit.position,
            hit.content,
            hit.meta,
            near_.position,
            near_.content,
        )
        .outerjoin(
            near_,
            and_(
                near_.document_id == hit.document_id,
                or_(near_.position == hit.position - 1, near_.position == hit.position + 1),
            ),
        )
        .where(hit.id.in_([c for c, _ in ranked]))
    )
    rows: dict[uuid.UUID, tuple[uuid.UUID, int, str, dict[str, Any]]] = {}
    near: dict[tuple[uuid.UUID, int], str] = {}
    for cid, doc_id, position, content, meta, n_position, n_content in found.all():
        rows[cid] = (doc_id, position, content, meta)
        if n_position is not None:
            near[(doc_id, n_position)] = n_content
    hits = []
    for chunk_id, score in ranked:
        if chunk_id not in rows:
            continue
        doc_id, position, content, meta = rows[chunk_id]
        around = [near[k] for k in ((doc_id, position - 1), (doc_id, position + 1)) if k in near]
        hits.append(
            Hit(
                document_id=doc_id,
                chunk_id=chunk_id,
                content=content,
                metadata=dict(meta or {}),
                similarity_score=round(score, 6),
                neighbours=around,
            )
        )
    return hits
