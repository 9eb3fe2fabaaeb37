"""Vectors as unit-length float32 bytes, scored exactly (cosine = dot product) with numpy.

The same storage serves SQLite and PostgreSQL: no extension is needed on either. Where
PostgreSQL has pgvector (``rag.pgvector``), searches go through its HNSW index instead."""

from __future__ import annotations

import uuid
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.models import DatasetChunk
from spacegate.rag import pgvector


def pack(vector: Sequence[float]) -> bytes:
    v = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return (v / norm if norm > 0 else v).astype(np.float32).tobytes()


def unit(vector: Sequence[float]) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


@dataclass
class _Matrix:
    fingerprint: tuple[int, Any]
    ids: list[uuid.UUID]
    matrix: np.ndarray


#: (dataset, model) -> its vectors as one matrix, while its fingerprint holds. The fingerprint
#: (row count, newest chunk's time) changes with every write: chunks are only ever inserted
#: (stamped now) or deleted, never updated, so another replica's writes are seen too.
_CACHE: OrderedDict[tuple[uuid.UUID, str], _Matrix] = OrderedDict()
#: The most bytes of vectors kept across datasets (the least recently searched go first).
CACHE_BYTES = 512 * 1024 * 1024


def _scope(dataset_id: uuid.UUID, model: str) -> tuple[Any, ...]:
    return (
        DatasetChunk.dataset_id == dataset_id,
        DatasetChunk.embedding_model == model,
        DatasetChunk.embedding.is_not(None),
    )


async def _matrix(session: AsyncSession, dataset_id: uuid.UUID, model: str) -> _Matrix | None:
    where = _scope(dataset_id, model)
    count, last = (
        await session.execute(select(func.count(), func.max(DatasetChunk.created_at)).where(*where))
    ).one()
    fingerprint = (int(count or 0), last)
    key = (dataset_id, model)
    cached = _CACHE.get(key)
    if cached is not None and cached.fingerprint == fingerprint:
        _CACHE.move_to_end(key)
        return cached
    if not count:
        _CACHE.pop(key, None)
        return None
    found = await session.execute(select(DatasetChunk.id, DatasetChunk.embedding).where(*where))
    rows: list[tuple[uuid.UUID, bytes]] = [(i, bytes(e or b"")) for i, e in found.all()]
    size = Counter(len(e) for _, e in rows).most_common(1)[0][0]  # other sizes are left out
    kept = [(i, e) for i, e in rows if len(e) == size]
    matrix = np.frombuffer(b"".join(e for _, e in kept), dtype=np.float32).reshape(
        len(kept), size // 4
    )
    made = _Matrix(fingerprint, [i for i, _ in kept], matrix)
    _CACHE.pop(key, None)
    _CACHE[key] = made
    while len(_CACHE) > 1 and sum(m.matrix.nbytes for m in _CACHE.values()) > CACHE_BYTES:
        _CACHE.popitem(last=False)
    return made


async def search(
    session: AsyncSession, dataset_id: uuid.UUID, model: str, query: Sequence[float], k: int
) -> list[tuple[uuid.UUID, float]]:
    """The ``k`` nearest chunks by cosine: through pgvector's HNSW index where the database has
    it, else scanned exactly over the dataset's vectors."""
    q = unit(query)
    if not np.any(q):
        return []  # no direction (nothing the model knows): every cosine would be 0
    support = await pgvector.support(session)
    if pgvector.indexed(support, int(q.shape[0])):
        return await pgvector.search(session, dataset_id, model, q, k, support)
    found = await _matrix(session, dataset_id, model)
    if found is None or found.matrix.shape[1] != q.shape[0]:
        return []
    scores = found.matrix @ q
    k = min(k, len(found.ids))
    best = np.argpartition(-scores, k - 1)[:k]
    best = best[np.argsort(-scores[best], kind="stable")]
    return [(found.ids[i], float(scores[i])) for i in best]
