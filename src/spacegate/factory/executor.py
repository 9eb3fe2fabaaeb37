"""How trainings and evaluations are queued: durable jobs of the job runner, which supervises
the computation (in local worker processes, ``factory.local``, or on the space's Ray cluster,
``factory.clusters.remote``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate import jobs
from spacegate.auth.principal import Principal
from spacegate.kit.clock import utcnow
from spacegate.kit.ids import uuid7
from spacegate.models import Job

TRAINING_KIND = "factory.training"
EVALUATION_KIND = "factory.evaluation"


class Executor(Protocol):
    name: str
    #: GPUs a single training or evaluation may ask for here.
    gpus: int

    def submit(
        self,
        session: AsyncSession,
        kind: str,
        subject_id: uuid.UUID,
        principal: Principal,
        space_id: uuid.UUID,
    ) -> uuid.UUID:
        """Queue the work in the caller's transaction; its job id."""
        ...

    async def status(self, session: AsyncSession, job_id: uuid.UUID) -> str | None: ...

    async def cancel(self, session: AsyncSession, job_id: uuid.UUID) -> None: ...


class LocalExecutor:
    name = "local"
    gpus = 0

    def submit(
        self,
        session: AsyncSession,
        kind: str,
        subject_id: uuid.UUID,
        principal: Principal,
        space_id: uuid.UUID,
    ) -> uuid.UUID:
        job = jobs.enqueue(
            session,
            kind=kind,
            principal=principal,
            space_id=space_id,
            subject_id=subject_id,
            max_attempts=2,
        )
        if job.id is None:
            job.id = uuid7()
        return job.id

    async def status(self, session: AsyncSession, job_id: uuid.UUID) -> str | None:
        job = await session.get(Job, job_id)
        return job.status if job is not None else None

    async def cancel(self, session: AsyncSession, job_id: uuid.UUID) -> None:
        job = await session.get(Job, job_id, with_for_update=True)
        if job is not None:
            await jobs.cancel(session, job)


_LOCAL = LocalExecutor()


def executor() -> Executor:
    return _LOCAL


async def adopt_outcomes(session: AsyncSession, rows: Sequence[Any]) -> None:
    """A row still queued or running whose job has ended without saying so (its worker died
    on the last try, and the runner gave up) takes the job's outcome, so nothing stays
    "running" forever."""
    pending = {r.job_id: r for r in rows if r.status in ("queued", "running") and r.job_id}
    if not pending:
        return
    ended = (
        await session.execute(
            select(Job.id, Job.status, Job.error).where(
                Job.id.in_(list(pending)), Job.status.in_(("failed", "cancelled"))
            )
        )
    ).all()
    for job_id, status, error in ended:
        row = pending[job_id]
        row.status, row.error, row.updated_at = status, error, utcnow()
    if ended:
        await session.flush()
