"""Vectors as unit-length float32 bytes, scored exactly (cosine = dot product) with numpy.

The same storage serves SQLite and PostgreSQL: no extension is needed on either."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.models import DatasetChunk


def pack(vector: Sequence[float]) -> bytes:
    v = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return (v / norm if norm > 0 else v).astype(np.float32).tobytes()


def unit(vector: Sequence[float]) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


def top(
    query: np.ndarray, ids: list[uuid.UUID], blobs: list[bytes], k: int
) -> list[tuple[uuid.UUID, float]]:
    """The ``k`` best (id, cosine) of the stored vectors; vectors of another size are skipped."""
    dim = query.shape[0]
    keep = [i for i, b in enumerate(blobs) if len(b) == dim * 4]
    if not keep:
        return []
    matrix = np.frombuffer(b"".join(blobs[i] for i in keep), dtype=np.float32).reshape(
        len(keep), dim
    )
    scores = matrix @ query
    k = min(k, len(keep))
    best = np.argpartition(-scores, k - 1)[:k]
    best = best[np.argsort(-scores[best])]
    return [(ids[keep[i]], float(scores[i])) for i in best]


async def search(
    session: AsyncSession, dataset_id: uuid.UUID, model: str, query: Sequence[float], k: int
) -> list[tuple[uuid.UUID, float]]:
    rows = (
        await session.execute(
            select(DatasetChunk.id, DatasetChunk.embedding).where(
                DatasetChunk.dataset_id == dataset_id,
                DatasetChunk.embedding_model == model,
                DatasetChunk.embedding.is_not(None),
            )
        )
    ).all()
    if not rows:
        return []
    return top(unit(query), [r[0] for r in rows], [bytes(r[1] or b"") for r in rows], k)
