"""Ingestion as durable jobs: progress, jobs pages, stop, retry, start; a job re-run after its
worker died leaves no duplicate chunk."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select, update

from spacegate.kit.clock import utcnow
from spacegate.models import DatasetChunk, Job
from tests.factories import Caller
from tests.jobs.hold import jobs_held
from tests.rag.conftest import make_dataset, settled, upload


def _text(n: int) -> bytes:
    return " ".join(f"term{i} filler{i % 7}" for i in range(n)).encode()


async def _count(app: FastAPI, dataset_id: str) -> int:
    async with app.state.runtime.read_sessions() as s:
        n = await s.scalar(
            select(func.count())
            .select_from(DatasetChunk)
            .where(DatasetChunk.dataset_id == uuid.UUID(dataset_id))
        )
    return int(n or 0)


async def test_stop_retry_and_jobs_page(http: httpx.AsyncClient, caller: Caller) -> None:
    ds = await make_dataset(http, caller, "ops", chunk_size=32, chunk_overlap=4)
    base = f"/api/v1/ingestion/datasets/{ds['id']}"
    async with jobs_held():
        for i in range(3):
            r = await upload(http, caller, "ops", f"f{i}.txt", _text(50 + i))
            assert r.status_code == 201, r.text
        r = await http.get(f"{base}/status", headers=caller.headers)
        assert r.json()["status"] == "indexing" and r.json()["documents"]["queued"] == 3
        r = await http.post(f"{base}/stop", headers=caller.headers)
        assert r.status_code == 200, r.text
        assert r.json()["documents"]["cancelled"] == 3 and r.json()["status"] == "cancelled"
        r = await http.get(f"{base}/jobs", params={"status": "cancelled"}, headers=caller.headers)
        assert r.json()["total"] == 3
        r = await http.post(f"{base}/retry/", headers=caller.headers)
        assert r.status_code == 200 and r.json()["documents"]["queued"] == 3
    status = await settled(http, caller, ds["id"])
    assert status["status"] == "ready" and status["documents"]["ready"] == 3

    r = await http.get(f"{base}/jobs", params={"limit": 2, "offset": 1}, headers=caller.headers)
    page = r.json()
    assert r.status_code == 200 and page["total"] == 6 and page["limit"] == 2
    assert page["offset"] == 1 and len(page["items"]) == 2
    done = await http.get(f"{base}/jobs", params={"status": "succeeded"}, headers=caller.headers)
    items = done.json()["items"]
    assert len(items) == 3 and all(j["progress"]["stage"] == "done" for j in items)
    assert {j["filename"] for j in items} == {"f0.txt", "f1.txt", "f2.txt"}


async def test_start_reindexes_every_document(
    local_app: FastAPI, http: httpx.AsyncClient, caller: Caller
) -> None:
    ds = await make_dataset(http, caller, "again", chunk_size=32, chunk_overlap=4)
    await upload(http, caller, "again", "a.txt", _text(80))
    first = await settled(http, caller, ds["id"])
    r = await http.post(f"/api/v1/ingestion/datasets/{ds['id']}/start", headers=caller.headers)
    assert r.status_code == 200, r.text
    second = await settled(http, caller, ds["id"])
    assert second["chunks"] == first["chunks"] == await _count(local_app, ds["id"])


async def test_a_job_rerun_after_its_worker_died_duplicates_nothing(
    local_app: FastAPI, http: httpx.AsyncClient, caller: Caller
) -> None:
    ds = await make_dataset(http, caller, "crash", chunk_size=32, chunk_overlap=4)
    doc = (await upload(http, caller, "crash", "a.txt", _text(120))).json()
    before = (await settled(http, caller, ds["id"]))["chunks"]
    assert before > 3
    # As if the worker was killed after writing the chunks, before recording the outcome:
    # the job is "running" under a lease that ran out, and another worker claims it again.
    async with local_app.state.runtime.write_sessions() as s, s.begin():
        await s.execute(
            update(Job)
            .where(Job.id == uuid.UUID(doc["job_id"]))
            .values(status="running", lease_until=utcnow() - timedelta(seconds=5), finished_at=None)
        )
    for _ in range(200):
        async with local_app.state.runtime.read_sessions() as s:
            job = await s.get(Job, uuid.UUID(doc["job_id"]))
        assert job is not None
        if job.status == "succeeded" and job.attempts == 2:
            break
        await asyncio.sleep(0.05)
    assert job.status == "succeeded" and job.attempts == 2
    assert await _count(local_app, ds["id"]) == before


async def test_ingestion_routes_404_for_unknown_datasets(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    r = await http.get(f"/api/v1/ingestion/datasets/{uuid.uuid4()}/status", headers=caller.headers)
    assert r.status_code == 404 and r.json()["code"] == "dataset_not_found"
