"""A space with a cluster trains and evaluates there: each training and evaluation runs as a
Ray job on the real local head, its checkpoints and metrics come back, a cancel stops the Ray
job, and a gpu_count the cluster cannot give is refused."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from spacegate.factory.clusters.ray import RayDashboard
from spacegate.factory.tasks import METRICS
from tests.factories import make_org, make_space
from tests.factory.conftest import Bucket
from tests.factory.flow import benchmark_body, credit_setup, post, training_body, wait_for
from tests.jobs.hold import jobs_held

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
async def _only_this_apps_runner(loopback_app: FastAPI) -> AsyncIterator[None]:
    """The suite's other apps share the database but may not reach loopback (the bucket, the
    Ray head): only this app's runner takes the jobs here."""
    async with jobs_held(keep=loopback_app.state.jobs):
        yield


async def _space_with_cluster(
    app: FastAPI, client: httpx.AsyncClient, ray_head: str
) -> dict[str, str]:
    org = await make_org(app.state.runtime)
    space = await make_space(client, org, f"ray-{uuid.uuid4().hex[:6]}")
    h = {**org.headers, "X-Space-Id": str(space["id"])}
    # The tests poll while Ray works: lift the org's request limit (100/minute by default).
    r = await client.put(
        f"/v1/orgs/{org.org_id}/rate-limit", json={"rate_limit": "100000/minute"}, headers=h
    )
    assert r.status_code == 200, r.text
    r = await client.post(
        "/v1/clusters",
        json={"name": "local ray", "manager_url": ray_head, "ingress_url": "http://127.0.0.1:1"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    return h


async def _job(client: httpx.AsyncClient, h: dict[str, str], job_id: str) -> dict[str, Any]:
    r = await client.get(f"/v1/jobs/{job_id}", headers=h)
    assert r.status_code == 200, r.text
    job: dict[str, Any] = r.json()
    return job


async def test_a_training_and_its_evaluation_run_on_the_spaces_ray_cluster(
    loopback_app: FastAPI, loopback_client: httpx.AsyncClient, ray_head: str, bucket: Bucket
) -> None:
    client = loopback_client
    h = await _space_with_cluster(loopback_app, client, ray_head)
    setup = await credit_setup(client, h, bucket, rows=200)
    holdout = await post(
        client,
        h,
        "/v1/benchmarks",
        benchmark_body(setup, list(METRICS)),
    )
    made = await post(
        client,
        h,
        "/v1/trainings",
        training_body(
            setup,
            "gradient_boosting",
            configuration={"n_estimators": 20, "checkpoints": 2},
            benchmark_ids=[holdout["id"]],
        ),
    )
    done = await wait_for(client, h, f"/v1/trainings/{made['id']}")
    assert done["status"] == "succeeded", done
    assert [c["step"] for c in done["checkpoints"]] == [10, 20]

    # It ran as a Ray job under the Spacegate job's id, and the cluster says it succeeded.
    job = await _job(client, h, done["job_id"])
    submission = job["progress"]["ray_submission_id"]
    assert submission.startswith(f"spacegate-{done['job_id']}")
    dash = RayDashboard(loopback_app.state.gateway.http, ray_head)
    state = await dash.status(submission)
    assert state is not None and state.status == "SUCCEEDED"

    # The checkpoint the cluster made is a real one: downloadable and loadable here.
    import io

    import joblib

    blob = await client.get(f"/v1/checkpoints/{done['checkpoints'][-1]['id']}/download", headers=h)
    assert blob.status_code == 200
    assert "pipeline" in joblib.load(io.BytesIO(blob.content))

    # Each checkpoint's evaluation on the benchmark also ran on the cluster.
    r = await client.get("/v1/evaluations", params={"limit": 10}, headers=h)
    evaluations = r.json()["data"]
    assert len(evaluations) == 2
    for e in evaluations:
        e = await wait_for(client, h, f"/v1/evaluations/{e['id']}")
        assert e["status"] == "succeeded", e
        assert set(e["result"]) == set(METRICS)
        assert 0.0 <= e["result"]["roc_auc"] <= 1.0
        ev_job = await _job(client, h, e["job_id"])
        assert ev_job["progress"]["ray_submission_id"].startswith("spacegate-")


async def test_cancelling_a_training_stops_its_ray_job(
    loopback_app: FastAPI, loopback_client: httpx.AsyncClient, ray_head: str, bucket: Bucket
) -> None:
    client = loopback_client
    h = await _space_with_cluster(loopback_app, client, ray_head)
    setup = await credit_setup(client, h, bucket, rows=3000)
    made = await post(
        client,
        h,
        "/v1/trainings",
        training_body(
            setup, "random_forest", configuration={"n_estimators": 2000, "checkpoints": 1}
        ),
    )
    for _ in range(600):
        job = await _job(client, h, made["job_id"])
        if job["progress"].get("ray_status") == "RUNNING":
            break
        assert job["status"] in ("queued", "running"), job
        await asyncio.sleep(0.1)
    else:
        raise AssertionError(f"the Ray job never ran: {job}")
    r = await client.delete(f"/v1/trainings/{made['id']}", headers=h)
    assert r.status_code == 200, r.text
    done = await wait_for(client, h, f"/v1/trainings/{made['id']}")
    assert done["status"] == "cancelled"
    dash = RayDashboard(loopback_app.state.gateway.http, ray_head)
    for _ in range(100):
        state = await dash.status(f"spacegate-{made['job_id']}")
        if state is not None and state.finished:
            break
        await asyncio.sleep(0.2)
    assert state is not None and state.status == "STOPPED"


async def test_a_gpu_count_the_cluster_does_not_have_is_refused(
    loopback_app: FastAPI, loopback_client: httpx.AsyncClient, ray_head: str, bucket: Bucket
) -> None:
    client = loopback_client
    h = await _space_with_cluster(loopback_app, client, ray_head)
    setup = await credit_setup(client, h, bucket, rows=60)
    r = await client.post(
        "/v1/trainings", json=training_body(setup, "random_forest", gpu_count=1), headers=h
    )
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "gpus_unavailable"
    assert "local ray" in r.text
