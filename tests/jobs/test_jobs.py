"""Durable jobs: one worker per job, progress and outcome visible through the API, cancel and
retry, and a worker that dies (``kill -9``) leaves a job another worker resumes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select, update

from spacegate.auth import resolver
from spacegate.config import Settings
from spacegate.jobs import JobCancelled, JobContext, JobRunner, RetryLater, enqueue
from spacegate.kit.clock import utcnow
from spacegate.models import Job
from spacegate.runtime import Runtime
from tests.factories import OrgCtx, make_space


async def _enqueue(
    runtime: Runtime, org: OrgCtx, space_id: str, kind: str, n: int = 1, **kw: Any
) -> list[str]:
    principal = await resolver.resolve(runtime, org.key)
    async with runtime.write_sessions() as s, s.begin():
        jobs = [
            enqueue(s, kind=kind, principal=principal, space_id=uuid.UUID(space_id), **kw)
            for _ in range(n)
        ]
    return [str(j.id) for j in jobs]


async def _setup(client: httpx.AsyncClient, org: OrgCtx) -> tuple[str, dict[str, str]]:
    space = await make_space(client, org, "work")
    return str(space["id"]), {**org.headers, "X-Space-Id": str(space["id"])}


def _runner(
    runtime: Runtime, kinds: dict[str, Any], long: frozenset[str] = frozenset(), **settings: Any
) -> JobRunner:
    runner = JobRunner(runtime, kinds, long=long)
    runner.lease = settings.get("lease", runner.lease)
    runner.poll = 0.02
    return runner


async def _get(client: httpx.AsyncClient, h: dict[str, str], job_id: str) -> dict[str, Any]:
    r = await client.get(f"/v1/jobs/{job_id}", headers=h)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def _finished(runtime: Runtime, kind: str) -> int:
    async with runtime.read_sessions() as s:
        stmt = select(func.count()).where(Job.kind == kind, Job.status == "succeeded")
        return int(await s.scalar(stmt) or 0)


async def test_a_job_runs_and_its_outcome_is_visible(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx
) -> None:
    space_id, h = await _setup(client, org)
    kind = f"test.ok.{uuid.uuid4().hex[:6]}"

    async def work(ctx: JobContext) -> dict[str, Any]:
        ctx.progress(done=1, total=2)
        await ctx.checkpoint()
        ctx.progress(done=2)
        principal = await ctx.principal()
        return {"payload": ctx.payload, "as": str(principal.user_id)}

    [job_id] = await _enqueue(runtime, org, space_id, kind, payload={"n": 7})
    queued = await _get(client, h, job_id)
    assert (queued["status"], queued["attempts"]) == ("queued", 0)
    assert await _runner(runtime, {kind: work}).run_once()
    done = await _get(client, h, job_id)
    assert done["status"] == "succeeded"
    assert done["result"] == {"payload": {"n": 7}, "as": org.user_id}
    assert done["progress"] == {"done": 2, "total": 2}
    assert done["attempts"] == 1
    assert done["started_at"] is not None
    assert done["finished_at"] is not None
    listed = (await client.get("/v1/jobs", params={"kind": kind}, headers=h)).json()
    assert [j["id"] for j in listed["data"]] == [job_id]
    none = (await client.get("/v1/jobs", params={"status": "failed"}, headers=h)).json()
    assert job_id not in [j["id"] for j in none["data"]]


async def test_a_failure_is_recorded_with_its_reason(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx
) -> None:
    space_id, h = await _setup(client, org)
    kind = f"test.fail.{uuid.uuid4().hex[:6]}"

    async def work(ctx: JobContext) -> dict[str, Any]:
        raise ValueError("column 'income' is missing")

    [job_id] = await _enqueue(runtime, org, space_id, kind)
    await _runner(runtime, {kind: work}).run_once()
    failed = await _get(client, h, job_id)
    assert failed["status"] == "failed"
    assert failed["error"] == "column 'income' is missing"
    # A failed job can be run again on request.
    r = await client.post(f"/v1/jobs/{job_id}/retry", headers=h)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["error"]) == ("queued", None)
    r = await client.post(f"/v1/jobs/{job_id}/retry", headers=h)
    assert (r.status_code, r.json()["code"]) == (409, "job_not_retryable")


async def test_a_transient_failure_is_retried_later_then_given_up(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx
) -> None:
    space_id, h = await _setup(client, org)
    kind = f"test.flaky.{uuid.uuid4().hex[:6]}"

    async def work(ctx: JobContext) -> dict[str, Any]:
        raise RetryLater("the bucket is not reachable", delay=0)

    [job_id] = await _enqueue(runtime, org, space_id, kind, max_attempts=2)
    runner = _runner(runtime, {kind: work})
    await runner.run_once()
    again = await _get(client, h, job_id)
    assert (again["status"], again["attempts"]) == ("queued", 1)
    assert again["error"] == "the bucket is not reachable"
    await runner.run_once()
    final = await _get(client, h, job_id)
    assert (final["status"], final["attempts"]) == ("failed", 2)
    assert not await runner.run_once()


async def test_cancel_stops_a_queued_job_at_once_and_a_running_one_at_its_checkpoint(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx
) -> None:
    space_id, h = await _setup(client, org)
    kind = f"test.long.{uuid.uuid4().hex[:6]}"
    started = asyncio.Event()
    steps = []

    async def work(ctx: JobContext) -> dict[str, Any]:
        started.set()
        for step in range(1000):
            steps.append(step)
            await ctx.checkpoint()
            await asyncio.sleep(0.01)
        return {}

    queued_id, running_id = await _enqueue(runtime, org, space_id, kind, n=2)
    r = await client.post(f"/v1/jobs/{queued_id}/cancel", headers=h)
    assert r.json()["status"] == "cancelled"
    runner = _runner(runtime, {kind: work})
    task = asyncio.create_task(runner.run_once())
    await asyncio.wait_for(started.wait(), 10)
    r = await client.post(f"/v1/jobs/{running_id}/cancel", headers=h)
    assert r.json()["cancel_requested"] is True
    await asyncio.wait_for(task, 10)
    assert (await _get(client, h, running_id))["status"] == "cancelled"
    assert len(steps) < 1000


async def test_a_job_whose_worker_died_is_resumed_and_given_up_after_its_tries(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx
) -> None:
    space_id, h = await _setup(client, org)
    kind = f"test.orphan.{uuid.uuid4().hex[:6]}"
    ran: list[int] = []

    async def work(ctx: JobContext) -> dict[str, Any]:
        ran.append(ctx.attempts)
        return {"resumed": True}

    resumed, spent = await _enqueue(runtime, org, space_id, kind, n=2, max_attempts=2)
    past = utcnow() - timedelta(seconds=1)
    async with runtime.write_sessions() as s, s.begin():
        for job_id, attempts in ((resumed, 1), (spent, 2)):
            await s.execute(
                update(Job)
                .where(Job.id == uuid.UUID(job_id))
                .values(status="running", attempts=attempts, lease_until=past, worker="gone")
            )
    runner = _runner(runtime, {kind: work})
    while await runner.run_once():
        pass
    assert ran == [2]
    assert (await _get(client, h, resumed))["status"] == "succeeded"
    gave_up = await _get(client, h, spent)
    assert gave_up["status"] == "failed"
    assert "Gave up after 2 tries" in gave_up["error"]


async def test_several_workers_never_run_the_same_job_twice(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, org: OrgCtx
) -> None:
    """Two runners on their own engines (as two replicas would be) drain one queue."""
    space_id, h = await _setup(client, org)
    kind = f"test.many.{uuid.uuid4().hex[:6]}"
    runs: Counter[uuid.UUID] = Counter()
    ids = set(await _enqueue(runtime, org, space_id, kind, n=30))

    async def work(ctx: JobContext) -> dict[str, Any]:
        runs[ctx.id] += 1
        await asyncio.sleep(0.005)
        return {}

    other = Runtime.create(settings)
    runners = [_runner(runtime, {kind: work}), _runner(other, {kind: work})]
    try:
        for r in runners:
            await r.start()
        for _ in range(500):
            if await _finished(runtime, kind) == len(ids):
                break
            await asyncio.sleep(0.02)
    finally:
        for r in runners:
            await r.stop()
        await other.close()
    assert {str(i) for i in runs} == ids
    assert set(runs.values()) == {1}
    for job_id in ids:
        assert (await _get(client, h, job_id))["status"] == "succeeded"


def _spawn_worker(database_url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.jobs.worker_main", database_url],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


async def test_a_worker_killed_mid_job_leaves_it_resumable(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, org: OrgCtx
) -> None:
    space_id, h = await _setup(client, org)
    [job_id] = await _enqueue(runtime, org, space_id, "test.hang")
    proc = _spawn_worker(settings.resolved_database_url)
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), 60)
        assert line.decode().split() == ["claimed", job_id]
        running = await _get(client, h, job_id)
        assert running["status"] == "running"
        assert running["progress"] == {"step": "started"}
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    async def finish(ctx: JobContext) -> dict[str, Any]:
        return {"ok": 1}

    runner = _runner(runtime, {"test.hang": finish})
    for _ in range(300):  # the dead worker's 1 s lease runs out
        if await runner.run_once():
            break
        await asyncio.sleep(0.05)
    resumed = await _get(client, h, job_id)
    assert resumed["status"] == "succeeded"
    assert resumed["attempts"] == 2


async def test_a_cancel_raised_by_the_handler_ends_the_job_cancelled(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx
) -> None:
    space_id, h = await _setup(client, org)
    kind = f"test.stop.{uuid.uuid4().hex[:6]}"

    async def work(ctx: JobContext) -> dict[str, Any]:
        raise JobCancelled("The training was deleted.")

    [job_id] = await _enqueue(runtime, org, space_id, kind)
    await _runner(runtime, {kind: work}).run_once()
    job = await _get(client, h, job_id)
    assert (job["status"], job["error"]) == ("cancelled", "The training was deleted.")


async def test_short_jobs_never_wait_behind_long_ones(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx
) -> None:
    """Long jobs (trainings) fill ``job_concurrency`` slots at most; a short one (a webhook
    delivery, an evaluation) queued behind more long ones than that still runs at once."""
    space_id, h = await _setup(client, org)
    tag = uuid.uuid4().hex[:6]
    long_kind, short_kind = f"test.long.{tag}", f"test.short.{tag}"
    release = asyncio.Event()
    running: set[uuid.UUID] = set()
    most = 0

    async def long_work(ctx: JobContext) -> dict[str, Any]:
        nonlocal most
        running.add(ctx.id)
        most = max(most, len(running))
        await release.wait()
        running.discard(ctx.id)
        return {}

    async def short_work(ctx: JobContext) -> dict[str, Any]:
        return {"while_long_running": len(running)}

    runner = _runner(
        runtime, {long_kind: long_work, short_kind: short_work}, long=frozenset({long_kind})
    )
    longs = await _enqueue(runtime, org, space_id, long_kind, n=runner.concurrency + 2)
    [short] = await _enqueue(runtime, org, space_id, short_kind)
    try:
        await runner.start()
        for _ in range(500):
            if (await _get(client, h, short))["status"] == "succeeded":
                break
            await asyncio.sleep(0.02)
        done = await _get(client, h, short)
        assert done["status"] == "succeeded", done
        assert done["result"] == {"while_long_running": runner.concurrency}
        statuses = Counter([(await _get(client, h, j))["status"] for j in longs])
        assert statuses == {"running": runner.concurrency, "queued": 2}
        release.set()
        for _ in range(500):
            if await _finished(runtime, long_kind) == len(longs):
                break
            await asyncio.sleep(0.02)
    finally:
        release.set()
        await runner.stop()
    assert await _finished(runtime, long_kind) == len(longs)
    assert most == runner.concurrency
