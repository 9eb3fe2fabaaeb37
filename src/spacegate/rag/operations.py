"""What the ingestion routes do to a whole dataset: list its jobs, index everything again,
stop, retry what failed."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.scope import SpaceScope
from spacegate.models import Dataset, DatasetDocument, Job
from spacegate.rag.ingestion import INGEST_KIND, enqueue, stop_jobs


async def dataset_jobs(
    session: AsyncSession,
    dataset_id: uuid.UUID,
    *,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Job, str]], int]:
    stmt: Any = (
        select(Job, DatasetDocument.filename)
        .join(DatasetDocument, DatasetDocument.id == Job.subject_id)
        .where(
            Job.kind == INGEST_KIND,
            Job.org_id == DatasetDocument.org_id,
            DatasetDocument.dataset_id == dataset_id,
        )
    )
    if status is not None:
        stmt = stmt.where(Job.status == status)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await session.execute(
        stmt.order_by(Job.created_at.desc(), Job.id.desc()).offset(offset).limit(limit)
    )
    return [(job, name) for job, name in rows.all()], int(total or 0)


async def _documents(
    session: AsyncSession, dataset: Dataset, *states: str
) -> list[DatasetDocument]:
    stmt = select(DatasetDocument).where(DatasetDocument.dataset_id == dataset.id)
    if states:
        stmt = stmt.where(DatasetDocument.status.in_(states))
    return list((await session.scalars(stmt.with_for_update())).all())


async def start(session: AsyncSession, scope: SpaceScope, dataset: Dataset) -> None:
    for doc in await _documents(session, dataset):
        await enqueue(session, scope, doc)
    await session.flush()


async def stop(session: AsyncSession, scope: SpaceScope, dataset: Dataset) -> None:
    for doc in await _documents(session, dataset, "queued", "running"):
        await stop_jobs(session, doc)
        if doc.status == "queued":
            doc.status = "cancelled"
    await session.flush()


async def retry(session: AsyncSession, scope: SpaceScope, dataset: Dataset) -> None:
    for doc in await _documents(session, dataset, "failed", "cancelled"):
        await enqueue(session, scope, doc)
    await session.flush()
