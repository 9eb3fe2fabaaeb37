"""The worker loop: up to ``job_concurrency`` long jobs at once and ``job_short_slots`` more for
short ones, each under a renewed lease."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
import weakref
from typing import TYPE_CHECKING

from spacegate.jobs import queue
from spacegate.jobs.registry import (
    Handler,
    JobCancelled,
    JobContext,
    RetryLater,
    handlers,
    long_kinds,
)
from spacegate.models import Job

if TYPE_CHECKING:
    from spacegate.runtime import Runtime

log = logging.getLogger(__name__)
_RUNNERS: weakref.WeakSet[JobRunner] = weakref.WeakSet()


def local_runners() -> list[JobRunner]:
    """The runners claiming jobs in this process now (one per app it serves)."""
    return list(_RUNNERS)


def wake_local() -> None:
    """A job was committed in this process: idle runners look for it now."""
    for runner in list(_RUNNERS):
        runner.wake()


class JobRunner:
    def __init__(
        self,
        runtime: Runtime,
        kinds: dict[str, Handler] | None = None,
        gateway: object = None,
        *,
        long: frozenset[str] | None = None,
    ) -> None:
        self.runtime = runtime
        self.gateway = gateway
        self.kinds = kinds if kinds is not None else handlers()
        self.long = (long if long is not None else long_kinds()) & set(self.kinds)
        settings = runtime.settings
        self.concurrency = settings.job_concurrency
        self.slots = settings.job_concurrency + settings.job_short_slots
        self._long_running = 0
        self.poll = settings.job_poll_seconds
        self.lease = settings.job_lease_seconds
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._event = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(self.slots)
        #: The event loop it runs on (an app served from another thread has its own).
        self.loop: asyncio.AbstractEventLoop | None = None

    def wake(self) -> None:
        self._event.set()

    async def start(self) -> None:
        if not self.kinds or self._loop_task is not None:
            return
        _RUNNERS.add(self)
        self.loop = asyncio.get_running_loop()
        # Fresh slots: a job cancelled by ``stop`` before it began never gave its slot back.
        self._slots = asyncio.Semaphore(self.slots)
        self._long_running = 0
        self._loop_task = asyncio.create_task(self._loop(), name="spacegate-jobs")

    async def stop(self) -> None:
        """Stop claiming; jobs still running are cancelled here and resumed by the next worker
        once their lease runs out (they are written to be re-run)."""
        _RUNNERS.discard(self)
        tasks = [t for t in (self._loop_task, *self._running) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._loop_task = None

    async def run_once(self) -> bool:
        """Claim and run one job to its end (tests and tools); False when none was waiting."""
        job = await queue.claim(self.runtime, self.worker, list(self.kinds), self.lease)
        if job is None:
            return False
        await self._run(job)
        return True

    def _claimable_kinds(self) -> list[str]:
        """Every kind while long jobs hold fewer than ``job_concurrency`` slots; short ones only
        once they hold them all."""
        if self._long_running < self.concurrency:
            return list(self.kinds)
        return [kind for kind in self.kinds if kind not in self.long]

    async def _loop(self) -> None:
        while True:
            await self._slots.acquire()
            job = None
            kinds = self._claimable_kinds()
            try:
                if kinds and await queue.has_work(self.runtime, kinds):
                    job = await queue.claim(self.runtime, self.worker, kinds, self.lease)
            except Exception:
                log.warning("could not look for jobs; retrying", exc_info=True)
            if job is None:
                self._slots.release()
                self._event.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._event.wait(), self.poll)
                continue
            self._long_running += job.kind in self.long  # counted before the next claim
            task = asyncio.create_task(self._run_in_slot(job), name=f"job-{job.id}")
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run_in_slot(self, job: Job) -> None:
        try:
            await self._run(job)
        finally:
            self._long_running -= job.kind in self.long
            self._slots.release()
            self.wake()  # a slot is free: more may be waiting

    async def _run(self, job: Job) -> None:
        ctx = JobContext(
            runtime=self.runtime,
            id=job.id,
            kind=job.kind,
            org_id=job.org_id,
            space_id=job.space_id,
            subject_id=job.subject_id,
            payload=dict(job.payload or {}),
            attempts=job.attempts,
            created_by=job.created_by,
            api_key_id=job.api_key_id,
            gateway=self.gateway,
            cancel_requested=job.cancel_requested,
            _progress=dict(job.progress or {}),
        )
        beat = asyncio.create_task(self._heartbeat(ctx, asyncio.current_task()))
        try:
            try:
                result = await self.kinds[job.kind](ctx)
            finally:
                beat.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await beat
            await queue.finish(ctx, "succeeded", result=result or {})
        except queue.LeaseLost:
            log.warning("job %s was taken over by another worker; this try stops", job.id)
        except JobCancelled as exc:
            await queue.finish(ctx, "cancelled", error=str(exc))
        except RetryLater as exc:
            if ctx.attempts < job.max_attempts:
                await queue.finish(ctx, "queued", error=str(exc), retry_in=exc.delay)
            else:
                await queue.finish(ctx, "failed", error=str(exc))
        except asyncio.CancelledError:
            raise  # shutting down: the lease runs out and another worker resumes the job
        except Exception as exc:
            log.exception("job %s (%s) failed", job.id, job.kind)
            await queue.finish(ctx, "failed", error=_message(exc))

    async def _heartbeat(self, ctx: JobContext, task: asyncio.Task[object] | None) -> None:
        while True:
            await asyncio.sleep(self.lease / 3)
            try:
                if await queue.heartbeat(ctx, self.lease):
                    ctx.cancel_requested = True
            except queue.LeaseLost:
                if task is not None:
                    task.cancel()
                return
            except Exception:
                log.warning("job %s: lease renewal failed; retrying", ctx.id, exc_info=True)


def _message(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:2000]
