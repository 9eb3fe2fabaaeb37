"""The indexed vector path on PostgreSQL with pgvector: the chunks' vectors mirrored into
``dataset_chunk_vectors`` (made by migration 0027 where ``CREATE EXTENSION vector`` succeeded)
and searched by ``ORDER BY embedding <=> :q LIMIT k`` through an HNSW index (cosine), one
partial expression index per dimension, made by the first write of that dimension.

Whether the path exists is checked once per engine; where it does not (SQLite, PostgreSQL
without the extension, more dimensions than HNSW indexes), ``rag.vectors`` scans exactly."""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.db import pgvector_schema

TABLE = pgvector_schema.TABLE
MAX_INDEXED_DIMS = pgvector_schema.MAX_INDEXED_DIMS
#: Candidates the HNSW graph walk keeps (pgvector's default is 40, below our pools of 50+).
EF_SEARCH = 200


@dataclass(frozen=True)
class _Support:
    enabled: bool
    iterative: bool  # pgvector >= 0.8: filtered scans go on until k rows pass the filter


_SUPPORT: weakref.WeakKeyDictionary[Any, _Support] = weakref.WeakKeyDictionary()
#: Dimensions whose index is known to exist, per engine.
_INDEXED: weakref.WeakKeyDictionary[Any, set[int]] = weakref.WeakKeyDictionary()


def _pool(session: AsyncSession) -> Any:
    bind: Any = session.get_bind()
    return getattr(bind, "engine", bind).pool


def _version(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split(".")[:3] if p.isdigit())


async def support(session: AsyncSession) -> _Support:
    """Whether this engine's database has the mirrored vectors (checked once per engine)."""
    if session.get_bind().dialect.name != "postgresql":
        return _Support(False, False)
    key = _pool(session)
    found = _SUPPORT.get(key)
    if found is None:
        row = (
            await session.execute(
                text(
                    "SELECT to_regclass(:t) IS NOT NULL, "
                    "(SELECT extversion FROM pg_extension WHERE extname = 'vector')"
                ),
                {"t": TABLE},
            )
        ).one()
        version = _version(row[1] or "0")
        found = _Support(bool(row[0]) and row[1] is not None, version >= (0, 8))
        _SUPPORT[key] = found
    return found


def indexed(support_: _Support, dims: int) -> bool:
    return support_.enabled and 0 < dims <= MAX_INDEXED_DIMS


async def _ensure_index(session: AsyncSession, dims: int) -> None:
    known = _INDEXED.setdefault(_pool(session), set())
    if dims in known:
        return
    name = pgvector_schema.index_name(dims)
    if not await session.scalar(text("SELECT to_regclass(:n) IS NOT NULL"), {"n": name}):
        # One writer makes it; the others wait on the lock, then find it made.
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:n))"), {"n": name})
        await session.execute(text(pgvector_schema.index_sql(dims)))
    known.add(dims)


async def mirror(
    session: AsyncSession,
    dataset_id: uuid.UUID,
    model: str,
    rows: Sequence[tuple[uuid.UUID, bytes]],
) -> None:
    """Write the (chunk id, float32 bytes) vectors of freshly inserted chunks, in the caller's
    transaction (their deletion cascades from the chunks')."""
    if not rows or not (await support(session)).enabled:
        return
    for dims in sorted({len(b) // 4 for _, b in rows}):
        if indexed(await support(session), dims):
            await _ensure_index(session, dims)
    values = [
        {
            "c": chunk_id,
            "d": dataset_id,
            "m": model,
            "n": len(blob) // 4,
            "v": np.frombuffer(blob, dtype=np.float32).tolist(),
        }
        for chunk_id, blob in rows
    ]
    await session.execute(
        text(
            f"INSERT INTO {TABLE} (chunk_id, dataset_id, embedding_model, dims, embedding) "  # noqa: S608
            "VALUES (:c, :d, :m, :n, CAST(CAST(:v AS real[]) AS vector))"
        ),
        values,
    )


async def search(
    session: AsyncSession,
    dataset_id: uuid.UUID,
    model: str,
    query: np.ndarray,
    k: int,
    support_: _Support,
) -> list[tuple[uuid.UUID, float]]:
    """The ``k`` nearest chunks by cosine through the dimension's HNSW index (approximate)."""
    dims = int(query.shape[0])
    if not np.any(query):
        return []  # no direction: its cosine with anything is undefined
    settings = "set_config('hnsw.ef_search', :ef, true)"  # this transaction only
    if support_.iterative:
        settings += ", set_config('hnsw.iterative_scan', 'strict_order', true)"
    await session.execute(text(f"SELECT {settings}"), {"ef": str(max(EF_SEARCH, k))})
    # The dimension is written into the statement (an int): the partial index's predicate and
    # expression must appear as they are for the planner to use it.
    distance = f"embedding::vector({dims}) <=> CAST(CAST(:q AS real[]) AS vector({dims}))"
    found = await session.execute(
        text(
            f"SELECT chunk_id, {distance} AS distance FROM {TABLE} "  # noqa: S608
            f"WHERE dims = {dims} AND dataset_id = :d AND embedding_model = :m "
            "ORDER BY distance LIMIT :k"
        ),
        {"q": query.astype(float).tolist(), "d": dataset_id, "m": model, "k": k},
    )
    # A stored zero vector's distance is NaN (and HNSW leaves it out): it ranks nothing.
    return [(r[0], 1.0 - float(r[1])) for r in found.all() if r[1] is not None and r[1] == r[1]]
