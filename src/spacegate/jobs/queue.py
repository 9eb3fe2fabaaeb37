"""The job table's operations: enqueue in the caller's transaction, claim, renew, finish."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from spacegate.errors import Conflict
from spacegate.kit.clock import utcnow
from spacegate.models import Job

if TYPE_CHECKING:
    from spacegate.auth.principal import Principal
    from spacegate.jobs.registry import JobContext
    from spacegate.runtime import Runtime

ACTIVE = ("queued", "running")
FINISHED = ("succeeded", "failed", "cancelled")
_WAKE = "spacegate.jobs.wake"


class LeaseLost(Exception):
    """Another worker holds the job now (this one was presumed dead): stop without writing."""


def enqueue(
    session: AsyncSession,
    *,
    kind: str,
    principal: Principal,
    space_id: uuid.UUID | None,
    subject_id: uuid.UUID | None = None,
    payload: dict[str, Any] | None = None,
    max_attempts: int = 3,
) -> Job:
    """Add a job to the session: it exists once the caller's transaction commits."""
    job = Job(
        org_id=principal.org_id,
        space_id=space_id,
        created_by=principal.user_id,
        api_key_id=principal.api_key_id,
        kind=kind,
        subject_id=subject_id,
        payload=payload or {},
        max_attempts=max_attempts,
    )
    session.add(job)
    session.sync_session.info[_WAKE] = True
    return job


async def cancel(session: AsyncSession, job: Job) -> Job:
    """A queued job is cancelled at once; a running one at its handler's next checkpoint."""
    if job.status == "queued":
        job.status, job.finished_at = "cancelled", utcnow()
    elif job.status == "running":
        job.cancel_requested = True
    await session.flush()
    return job


async def retry(session: AsyncSession, job: Job) -> Job:
    if job.status not in ("failed", "cancelled"):
        raise Conflict(
            f"Only a failed or cancelled job can be retried; this one is {job.status}.",
            code="job_not_retryable",
        )
    job.status, job.error, job.result = "queued", None, None
    job.attempts, job.cancel_requested = 0, False
    job.run_after, job.finished_at, job.lease_until, job.worker = utcnow(), None, None, None
    session.sync_session.info[_WAKE] = True
    await session.flush()
    return job


def claimable(kinds: list[str]) -> Any:
    now = utcnow()
    return or_(
        (Job.status == "queued") & (Job.run_after <= now),
        (Job.status == "running") & (Job.lease_until < now),  # its worker died
    ), Job.kind.in_(kinds)


async def has_work(runtime: Runtime, kinds: list[str]) -> bool:
    async with runtime.read_sessions() as s:
        return await s.scalar(select(Job.id).where(*claimable(kinds)).limit(1)) is not None


async def claim(runtime: Runtime, worker: str, kinds: list[str], lease: float) -> Job | None:
    """Take the oldest claimable job. PostgreSQL skips rows another worker is claiming
    (``FOR UPDATE SKIP LOCKED``); SQLite's write transactions are exclusive already."""
    async with runtime.write_sessions() as s, s.begin():
        job = await s.scalar(
            select(Job)
            .where(*claimable(kinds))
            .order_by(Job.run_after, Job.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if job is None:
            return None
        now = utcnow()
        job.attempts += 1
        if job.attempts > job.max_attempts:
            job.status, job.finished_at, job.lease_until = "failed", now, None
            job.error = job.error or (
                f"Gave up after {job.max_attempts} tries: the worker running it stopped."
            )
            return None
        job.status, job.worker = "running", worker
        job.lease_until = now + timedelta(seconds=lease)
        job.started_at = job.started_at or now
        await s.flush()
        s.expunge(job)  # the caller reads it after the session closes
    return job


async def heartbeat(ctx: JobContext, lease: float | None = None) -> bool:
    """Renew the lease and write progress; answers whether a cancel was requested."""
    runtime = ctx.runtime
    seconds = lease if lease is not None else runtime.settings.job_lease_seconds
    values: dict[str, Any] = {"lease_until": utcnow() + timedelta(seconds=seconds)}
    if ctx._dirty:
        values["progress"] = dict(ctx._progress)
        ctx._dirty = False
    async with runtime.write_sessions() as s, s.begin():
        row = await s.execute(
            update(Job)
            .where(Job.id == ctx.id, Job.status == "running", Job.attempts == ctx.attempts)
            .values(**values)
            .returning(Job.cancel_requested)
        )
        flag = row.scalar_one_or_none()
    if flag is None:
        raise LeaseLost(f"job {ctx.id} is no longer held by this worker")
    return bool(flag)


async def finish(
    ctx: JobContext,
    status: str,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
    retry_in: float | None = None,
) -> None:
    """Record the outcome (or, with ``retry_in``, queue the job again) if it is still ours."""
    now = utcnow()
    values: dict[str, Any] = {"lease_until": None, "worker": None, "progress": dict(ctx._progress)}
    if retry_in is not None:
        values.update(status="queued", run_after=now + timedelta(seconds=retry_in), error=error)
    else:
        values.update(status=status, result=result, error=error, finished_at=now)
    async with ctx.runtime.write_sessions() as s, s.begin():
        await s.execute(
            update(Job)
            .where(Job.id == ctx.id, Job.status == "running", Job.attempts == ctx.attempts)
            .values(**values)
        )


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(_WAKE, False):
        from spacegate.jobs.runner import wake_local

        wake_local()


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_WAKE, None)
