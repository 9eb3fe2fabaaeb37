"""The ingestion job of one document: read, parse, chunk, embed (through the gateway, step type
``source_ingest``), then replace the document's chunks in one transaction.

Re-running it (a retry, a worker killed mid-way) never duplicates a chunk: the chunks are
deleted and inserted together, keyed by the document, and only the document's newest job
writes them."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select

from spacegate import jobs
from spacegate.errors import AppError
from spacegate.gateway.inprocess import ModelCallFailed, model_client
from spacegate.jobs import JobCancelled, JobContext, RetryLater
from spacegate.kit.clock import utcnow
from spacegate.kit.ids import uuid7
from spacegate.models import Dataset, DatasetChunk, DatasetDocument
from spacegate.rag import files, pgvector, vectors
from spacegate.rag.chunking import Chunk, chunk
from spacegate.rag.ingestion import INGEST_KIND
from spacegate.rag.parsing import parse

STEP_TYPE = "source_ingest"
EMBED_BATCH = 64


@dataclass
class _Work:
    dataset_id: uuid.UUID
    space_id: uuid.UUID
    filename: str
    source: str
    path: str
    kind: str
    model: str | None
    size: int
    overlap: int


async def _document(s: Any, ctx: JobContext, lock: bool = False) -> DatasetDocument | None:
    stmt = select(DatasetDocument).where(
        DatasetDocument.id == ctx.subject_id, DatasetDocument.org_id == ctx.org_id
    )
    doc: DatasetDocument | None = await s.scalar(stmt.with_for_update() if lock else stmt)
    return doc if doc is not None and doc.job_id == ctx.id else None


async def _mark(ctx: JobContext, status: str, error: str | None = None) -> None:
    async with ctx.runtime.write_sessions() as s, s.begin():
        doc = await _document(s, ctx, lock=True)
        if doc is not None:
            doc.status, doc.error, doc.updated_at = status, error, utcnow()


@jobs.handler(INGEST_KIND, long=True)
async def run_ingestion(ctx: JobContext) -> dict[str, Any]:
    try:
        return await _ingest(ctx)
    except JobCancelled:
        await _mark(ctx, "cancelled")
        raise
    except RetryLater as exc:
        await _mark(ctx, "queued", str(exc))
        raise
    except AppError as exc:
        await _mark(ctx, "failed", exc.message)
        raise
    except Exception as exc:
        await _mark(ctx, "failed", f"{type(exc).__name__}: {exc}"[:2000])
        raise


async def _start(ctx: JobContext) -> _Work | None:
    async with ctx.runtime.write_sessions() as s, s.begin():
        doc = await _document(s, ctx, lock=True)
        if doc is None:
            return None
        dataset = await s.get(Dataset, doc.dataset_id)
        if dataset is None:
            return None
        config = dataset.configuration or {}
        doc.status, doc.error, doc.updated_at = "running", None, utcnow()
        return _Work(
            dataset_id=dataset.id,
            space_id=doc.space_id,
            filename=doc.filename,
            source=doc.source,
            path=doc.path,
            kind=doc.kind,
            model=config.get("embedding_model"),
            size=int(config.get("chunk_size", 256)),
            overlap=int(config.get("chunk_overlap", 32)),
        )


def _read(ctx: JobContext, work: _Work) -> bytes:
    settings = ctx.runtime.settings
    if work.source == "folder":
        # The file may have become a symlink out of the allowed roots since it was listed.
        real = Path(work.path).resolve()
        roots = [r.resolve() for r in settings.dataset_roots]
        if not any(real.is_relative_to(r) for r in roots):
            raise AppError(f"'{work.filename}' is no longer under an allowed folder.")
    try:
        return files.read(settings.data_dir, work.source, work.path)
    except FileNotFoundError:
        raise AppError(f"'{work.filename}' is gone from where it was stored.") from None


async def _embed(ctx: JobContext, work: _Work, chunks: list[Chunk]) -> list[bytes] | None:
    if work.model is None or not chunks:
        return None
    principal = await ctx.principal()
    client = model_client(
        ctx.gateway,
        principal,
        work.space_id,
        step_type=STEP_TYPE,
        purpose="rag",
        correlation_id=str(ctx.subject_id),
    )
    out: list[bytes] = []
    for start in range(0, len(chunks), EMBED_BATCH):
        batch = [c.content for c in chunks[start : start + EMBED_BATCH]]
        try:
            vecs = await client.embed(work.model, batch)
        except ModelCallFailed as exc:
            if exc.status_code in (429, 503):
                raise RetryLater(exc.message, delay=10.0) from exc
            raise
        out.extend(vectors.pack(v) for v in vecs)
        ctx.progress(stage="embedding", embedded=len(out))
        await ctx.checkpoint()
    return out


async def _ingest(ctx: JobContext) -> dict[str, Any]:
    work = await _start(ctx)
    if work is None:
        return {"skipped": "the document was deleted or is indexed by a newer job"}
    ctx.progress(stage="parsing", chunks=0, embedded=0)
    await ctx.checkpoint()
    data = await asyncio.to_thread(_read, ctx, work)
    sections = await asyncio.to_thread(parse, work.kind, data)
    chunks = await asyncio.to_thread(chunk, sections, work.size, work.overlap)
    ctx.progress(stage="embedding" if work.model else "indexing", chunks=len(chunks))
    await ctx.checkpoint()
    embedded = await _embed(ctx, work, chunks)
    written = await _replace(ctx, work, chunks, embedded, files.sha256(data))
    if written is None:
        return {"skipped": "the document was deleted or is indexed by a newer job"}
    ctx.progress(stage="done", chunks=written)
    return {"chunks": written, "embedded": bool(embedded)}


async def _replace(
    ctx: JobContext,
    work: _Work,
    chunks: list[Chunk],
    embedded: list[bytes] | None,
    digest: str,
) -> int | None:
    async with ctx.runtime.write_sessions() as s, s.begin():
        doc = await _document(s, ctx, lock=True)
        if doc is None:
            return None
        await s.execute(delete(DatasetChunk).where(DatasetChunk.document_id == doc.id))
        seq = None
        if s.get_bind().dialect.name == "sqlite":
            # The write transaction is exclusive on SQLite, so the next keys are ours.
            seq = int(await s.scalar(select(func.coalesce(func.max(DatasetChunk.seq), 0))) or 0)
        rows: list[dict[str, Any]] = []
        now = utcnow()
        for i, c in enumerate(chunks):
            rows.append(
                {
                    "id": uuid7(),
                    "org_id": ctx.org_id,
                    "space_id": work.space_id,
                    "dataset_id": work.dataset_id,
                    "document_id": doc.id,
                    "seq": None if seq is None else seq + i + 1,
                    "position": c.position,
                    "content": c.content,
                    "meta": {**c.meta, "filename": work.filename, "position": c.position},
                    "token_count": c.tokens,
                    "embedding": embedded[i] if embedded else None,
                    "embedding_model": work.model if embedded else None,
                    "created_at": now,
                }
            )
        for start in range(0, len(rows), 1000):
            await s.execute(insert(DatasetChunk), rows[start : start + 1000])
        if embedded and work.model:
            await pgvector.mirror(
                s, work.dataset_id, work.model, [(r["id"], r["embedding"]) for r in rows]
            )
        doc.status, doc.error, doc.chunk_count = "ready", None, len(rows)
        doc.indexed_sha256, doc.indexed_at, doc.updated_at = digest, now, now
    return len(rows)
