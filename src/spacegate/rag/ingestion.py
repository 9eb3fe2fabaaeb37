"""Ingestion bookkeeping: one durable job per document, its state mirrored on the document,
and a dataset's summary (documents by state, chunks) for reads and the status route."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate import jobs
from spacegate.auth.scope import SpaceScope
from spacegate.kit.clock import utcnow
from spacegate.models import Dataset, DatasetDocument, Job, RagEndpoint

INGEST_KIND = "rag.ingest"
STATES = ("queued", "running", "ready", "failed", "cancelled")
_ACTIVE = ("queued", "running")


def overall(counts: dict[str, int]) -> str:
    if not any(counts.values()):
        return "empty"
    if counts.get("queued") or counts.get("running"):
        return "indexing"
    if counts.get("failed"):
        return "failed" if not counts.get("ready") else "partial"
    if counts.get("cancelled") and not counts.get("ready"):
        return "cancelled"
    return "ready"


async def summaries(
    session: AsyncSession, dataset_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    out: dict[uuid.UUID, dict[str, Any]] = {
        i: {"documents": dict.fromkeys(STATES, 0), "chunks": 0} for i in dataset_ids
    }
    if not dataset_ids:
        return out
    rows = await session.execute(
        select(
            DatasetDocument.dataset_id,
            DatasetDocument.status,
            func.count(),
            func.coalesce(func.sum(DatasetDocument.chunk_count), 0),
        )
        .where(DatasetDocument.dataset_id.in_(list(dataset_ids)))
        .group_by(DatasetDocument.dataset_id, DatasetDocument.status)
    )
    for dataset_id, status, count, chunks in rows.all():
        entry = out[dataset_id]
        entry["documents"][status] = int(count)
        if status == "ready":
            entry["chunks"] += int(chunks)
    for entry in out.values():
        entry["status"] = overall(entry["documents"])
        entry["documents"]["total"] = sum(entry["documents"][s] for s in STATES)
    return out


async def annotate(session: AsyncSession, datasets: Sequence[Dataset]) -> None:
    """Attach each dataset's ingestion summary and the endpoints that search it (read by the
    wire schema)."""
    ids = [d.id for d in datasets]
    found = await summaries(session, ids)
    connected: dict[uuid.UUID, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        rows = await session.execute(
            select(RagEndpoint.dataset_id, RagEndpoint.id, RagEndpoint.name, RagEndpoint.slug)
            .where(RagEndpoint.dataset_id.in_(ids))
            .order_by(RagEndpoint.slug)
        )
        for dataset_id, eid, name, slug in rows.all():
            connected[uuid.UUID(str(dataset_id))].append(
                {"id": str(eid), "name": name, "slug": slug}
            )
    for d in datasets:
        d.__dict__["ingestion"] = found[d.id]
        d.__dict__["connected_endpoints"] = connected[d.id]


async def stop_jobs(session: AsyncSession, doc: DatasetDocument) -> None:
    """Cancel the document's job if it is still queued or running."""
    if doc.job_id is None:
        return
    job = await session.get(Job, doc.job_id, with_for_update=True)
    if job is not None and job.status in _ACTIVE:
        await jobs.cancel(session, job)


async def enqueue(session: AsyncSession, scope: SpaceScope, doc: DatasetDocument) -> Job:
    """(Re-)index ``doc``: its earlier job is cancelled and a new one queued. Only the newest
    job of a document writes its chunks (the handler checks ``job_id``)."""
    await stop_jobs(session, doc)
    job = jobs.enqueue(
        session,
        kind=INGEST_KIND,
        principal=scope.principal,
        space_id=scope.space_id,
        subject_id=doc.id,
        payload={"dataset_id": str(doc.dataset_id)},
    )
    await session.flush()
    doc.job_id, doc.status, doc.error = job.id, "queued", None
    doc.updated_at = utcnow()
    return job
