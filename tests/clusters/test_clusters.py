"""A space's Ray cluster: registered after Spacegate checked it answers, read live (nodes,
resources, what it serves), a clean 503 when it is away; work runs there as Ray jobs whose
results come back, and a cancel stops the Ray job."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from spacegate.factory.clusters import executor
from spacegate.factory.clusters.ray import RayDashboard
from spacegate.models import Cluster
from tests.factories import OrgCtx, make_org, make_space
from tests.procs import free_port


async def _space(app: FastAPI, client: httpx.AsyncClient) -> tuple[OrgCtx, dict[str, str]]:
    org = await make_org(app.state.runtime)
    space = await make_space(client, org, "compute")
    return org, {**org.headers, "X-Space-Id": str(space["id"])}


def _body(ray_head: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": "local ray",
        "manager_url": ray_head,
        "ingress_url": "http://127.0.0.1:8000",
        "token": "ray-token-0123456789abcdef",
        **extra,
    }


async def test_a_cluster_is_registered_and_read_live(
    loopback_app: FastAPI, loopback_client: httpx.AsyncClient, ray_head: str
) -> None:
    _, h = await _space(loopback_app, loopback_client)
    r = await loopback_client.post("/v1/clusters", json=_body(ray_head), headers=h)
    assert r.status_code == 201, r.text
    made = r.json()
    assert set(made) == {
        "id", "name", "ingress_url", "manager_url", "token", "created_at", "updated_at"
    }  # fmt: skip
    assert made["token"] != "ray-token-0123456789abcdef"
    assert made["token"].endswith("cdef")
    assert "ray-token-0123456789abcdef" not in r.text

    live = (await loopback_client.get("/v1/clusters", headers=h)).json()
    assert {"inference", "ingress", "nodes", "resources"} <= set(live)
    [node] = live["nodes"]
    assert node["alive"] is True
    assert node["cpu"] == 2
    assert node["gpu"] == 0
    assert node["memory_bytes"] > 0
    assert live["resources"]["total"]["cpu"] == 2
    assert live["resources"]["total"]["gpu"] == 0
    assert live["ingress"] == {"url": "http://127.0.0.1:8000"}
    assert live["ray_version"]

    r = await loopback_client.post("/v1/clusters", json=_body(ray_head), headers=h)
    assert (r.status_code, r.json()["code"]) == (409, "cluster_exists")
    r = await loopback_client.patch("/v1/clusters", json={"name": "renamed"}, headers=h)
    assert r.json()["name"] == "renamed"
    r = await loopback_client.delete("/v1/clusters", headers=h)
    assert r.json() == {"id": made["id"]}
    r = await loopback_client.get("/v1/clusters", headers=h)
    assert (r.status_code, r.json()["code"]) == (404, "cluster_not_found")


async def test_a_cluster_that_does_not_answer_is_refused_at_registration(
    loopback_app: FastAPI, loopback_client: httpx.AsyncClient
) -> None:
    _, h = await _space(loopback_app, loopback_client)
    dead = f"http://127.0.0.1:{free_port()}"
    r = await loopback_client.post("/v1/clusters", json=_body(dead), headers=h)
    assert (r.status_code, r.json()["code"]) == (422, "cluster_unreachable")
    assert "manager_url" in r.json()["detail"]
    r = await loopback_client.get("/v1/clusters", headers=h)
    assert r.status_code == 404


async def test_internal_addresses_are_refused_without_the_private_networks_setting(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await make_space(client, org, "c")
    h = {**org.headers, "X-Space-Id": str(space["id"])}
    r = await client.post("/v1/clusters", json=_body("http://127.0.0.1:8265"), headers=h)
    assert (r.status_code, r.json()["code"]) == (422, "base_url_not_allowed")
    assert "manager_url" in r.json()["detail"]


async def test_a_cluster_that_went_away_answers_503_not_stale_data(
    loopback_app: FastAPI, loopback_client: httpx.AsyncClient, ray_head: str
) -> None:
    _, h = await _space(loopback_app, loopback_client)
    made = (await loopback_client.post("/v1/clusters", json=_body(ray_head), headers=h)).json()
    async with loopback_app.state.runtime.write_sessions() as s, s.begin():
        await s.execute(
            update(Cluster)
            .where(Cluster.id == uuid.UUID(made["id"]))
            .values(manager_url=f"http://127.0.0.1:{free_port()}")
        )
    r = await loopback_client.get("/v1/clusters", headers=h)
    assert (r.status_code, r.json()["code"]) == (503, "cluster_unavailable")
    assert "not answering" in r.json()["detail"]


TASK = b"""
import csv, json, statistics
rows = list(csv.DictReader(open("data.csv")))
incomes = [float(r["income"]) for r in rows]
print("SPACEGATE_RESULT " + json.dumps({"rows": len(rows), "mean": statistics.mean(incomes)}))
"""

OK_TASK = b"""print('SPACEGATE_RESULT {"ok": true}')"""

SLEEPER = b"""
import time
print("started", flush=True)
time.sleep(600)
"""


async def test_a_task_runs_as_a_ray_job_and_its_result_comes_back(
    loopback_app: FastAPI, ray_head: str
) -> None:
    dash = RayDashboard(loopback_app.state.gateway.http, ray_head)
    task = executor.RayTask(
        files={"task.py": TASK, "data.csv": b"income,default\n10,0\n20,1\n60,0\n"},
        entrypoint="python task.py",
    )
    seen: list[str] = []

    async def on_status(status: str) -> None:
        seen.append(status)

    sid = f"spacegate-test-{uuid.uuid4().hex[:8]}"
    outcome = await executor.run(dash, task, sid, on_status=on_status, poll=0.2)
    assert outcome.result == {"rows": 3, "mean": 30.0}
    assert seen[-1] == "SUCCEEDED"
    # Following the same submission again (a resumed job) does not run it a second time.
    again = await executor.run(dash, task, sid, poll=0.2)
    assert again.result == outcome.result
    assert again.logs.count("SPACEGATE_RESULT") == 1


async def test_a_cancel_stops_the_ray_job(loopback_app: FastAPI, ray_head: str) -> None:
    dash = RayDashboard(loopback_app.state.gateway.http, ray_head)
    task = executor.RayTask(files={"sleep.py": SLEEPER}, entrypoint="python sleep.py")
    sid = f"spacegate-test-{uuid.uuid4().hex[:8]}"
    running = asyncio.Event()

    async def on_status(status: str) -> None:
        if status == "RUNNING":
            running.set()

    class Cancelled(Exception):
        pass

    async def checkpoint() -> None:
        if running.is_set():
            raise Cancelled

    with pytest.raises(Cancelled):
        await executor.run(dash, task, sid, checkpoint=checkpoint, on_status=on_status, poll=0.2)
    for _ in range(100):
        state = await dash.status(sid)
        if state is not None and state.finished:
            break
        await asyncio.sleep(0.2)
    assert state is not None
    assert state.status == "STOPPED"


async def test_a_job_the_cluster_does_not_know_fails_with_why(
    loopback_app: FastAPI, ray_head: str
) -> None:
    dash = RayDashboard(loopback_app.state.gateway.http, ray_head)
    task = executor.RayTask(files={"t.py": b"print('x')"}, entrypoint="python t.py")
    sid = f"spacegate-test-{uuid.uuid4().hex[:8]}"

    async def forget(_status: str) -> None:
        # What a restarted cluster looks like: the submission is gone.
        await dash.stop(sid)
        await loopback_app.state.gateway.http.delete(f"{ray_head}/api/jobs/{sid}")

    with pytest.raises(executor.ClusterJobFailed) as failed:
        await executor.run(dash, task, sid, on_status=forget, poll=0.2)
    assert sid in str(failed.value)


async def test_a_failed_submission_runs_afresh_under_the_same_id(
    loopback_app: FastAPI, ray_head: str
) -> None:
    dash = RayDashboard(loopback_app.state.gateway.http, ray_head)
    sid = f"spacegate-test-{uuid.uuid4().hex[:8]}"
    failing = executor.RayTask(files={"t.py": b"raise SystemExit(3)"}, entrypoint="python t.py")
    with pytest.raises(executor.ClusterJobFailed) as failed:
        await executor.run(dash, failing, sid, poll=0.2)
    assert "failed" in str(failed.value)
    fixed = executor.RayTask(files={"t.py": OK_TASK}, entrypoint="python t.py")
    outcome = await executor.run(dash, fixed, sid, poll=0.2)
    assert outcome.result == {"ok": True}
