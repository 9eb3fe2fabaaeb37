"""Trainings as durable jobs: real scikit-learn fits on a bucket's CSV, metrics per stage,
checkpoints saved and scored, configuration and GPU refusals, PATCH and DELETE rules."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest

from spacegate.runtime import Runtime
from tests.factory.conftest import Bucket
from tests.factory.flow import credit_setup, post, training_body, wait_for
from tests.jobs.hold import jobs_held

pytestmark = pytest.mark.usefixtures("private_networks")


async def test_a_training_runs_to_checkpoints_with_metrics(
    client: httpx.AsyncClient, space: dict[str, str], bucket: Bucket
) -> None:
    setup = await credit_setup(client, space, bucket)
    made = await post(
        client,
        space,
        "/v1/trainings",
        training_body(setup, "gradient_boosting", configuration={"n_estimators": 30}),
    )
    assert made["status"] == "queued"
    assert made["checkpoints"] == [] and made["metrics"] == []
    done = await wait_for(client, space, f"/v1/trainings/{made['id']}")
    assert done["status"] == "succeeded", done
    assert [m["step"] for m in done["metrics"]] == [10, 20, 30]
    losses = [m["train_log_loss"] for m in done["metrics"]]
    assert losses == sorted(losses, reverse=True)  # boosting lowers its training loss
    assert [c["step"] for c in done["checkpoints"]] == [10, 20, 30]
    job = (await client.get(f"/v1/jobs/{done['job_id']}", headers=space)).json()
    assert job["status"] == "succeeded" and job["progress"]["stage"] == 3

    last = done["checkpoints"][-1]["id"]
    listed = (
        await client.get(
            "/v1/checkpoints", params={"training_id": made["id"], "limit": 2}, headers=space
        )
    ).json()
    assert listed["count"] == 2 and listed["has_more"] is True
    rest = (
        await client.get(
            "/v1/checkpoints",
            params={"training_id": made["id"], "after": listed["data"][-1]["id"]},
            headers=space,
        )
    ).json()
    assert [c["id"] for c in rest["data"]] == [last]
    cp = (await client.get(f"/v1/checkpoints/{last}", headers=space)).json()
    assert cp["training_id"] == made["id"] and cp["step"] == 30
    assert cp["feature_columns"] == ["income", "debt", "age", "segment"]

    # The download is the model itself: loaded, it predicts what the scoring route says.
    r = await client.get(f"/v1/checkpoints/{last}/download", headers=space)
    assert r.status_code == 200
    import joblib
    import pandas as pd

    state = joblib.load(io.BytesIO(r.content))
    rows = [
        {"income": 2500.0, "debt": 4000.0, "age": 30, "segment": "retail"},
        {"income": 9000.0, "debt": 300.0, "age": 50, "segment": "premium"},
    ]
    expected = state["pipeline"].predict_proba(pd.DataFrame(rows))[:, 1]
    r = await client.post(f"/v1/checkpoints/{last}/score", json={"rows": rows}, headers=space)
    assert r.status_code == 200, r.text
    scores = [p["score"] for p in r.json()["predictions"]]
    assert scores == pytest.approx(list(expected))
    assert scores[0] > scores[1]  # the indebted retail client is the riskier one
    r = await client.post(
        f"/v1/checkpoints/{last}/score", json={"rows": [{"income": 1}]}, headers=space
    )
    assert r.status_code == 422 and "debt" in r.json()["detail"]


@pytest.mark.parametrize(
    ("architecture", "configuration", "field"),
    [
        ("gradient_boosting", {"learning_rate": 0}, "configuration.learning_rate"),
        ("random_forest", {"n_estimators": "many"}, "configuration.n_estimators"),
        ("logistic_regression", {"C": 1, "depth": 3}, "configuration.depth"),
    ],
)
async def test_bad_hyperparameters_are_a_422_naming_them(
    client: httpx.AsyncClient,
    space: dict[str, str],
    bucket: Bucket,
    architecture: str,
    configuration: dict[str, Any],
    field: str,
) -> None:
    setup = await credit_setup(client, space, bucket, rows=40)
    body = training_body(setup, architecture, configuration=configuration)
    r = await client.post("/v1/trainings", json=body, headers=space)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid_configuration"
    assert field in r.json()["detail"]
    r = await client.post(
        "/v1/trainings", json={**body, "architecture": "transformer-xl"}, headers=space
    )
    assert r.status_code == 422 and r.json()["code"] == "unknown_architecture"


async def test_gpus_beyond_the_local_executor_are_refused(
    client: httpx.AsyncClient, space: dict[str, str], bucket: Bucket
) -> None:
    setup = await credit_setup(client, space, bucket, rows=40)
    r = await client.post(
        "/v1/trainings", json=training_body(setup, "random_forest", gpu_count=2), headers=space
    )
    assert r.status_code == 422
    assert r.json()["code"] == "gpus_unavailable"
    assert "0 GPU" in r.json()["detail"] and "local" in r.json()["detail"]


async def test_trainings_page_by_page_size_camel(
    client: httpx.AsyncClient, space: dict[str, str], bucket: Bucket, runtime: Runtime
) -> None:
    setup = await credit_setup(client, space, bucket, rows=40)
    ids = []
    for _ in range(3):
        made = await post(
            client,
            space,
            "/v1/trainings",
            training_body(setup, "logistic_regression", configuration={"checkpoints": 1}),
        )
        ids.append(made["id"])
    page = (await client.get("/v1/trainings?pageSize=2&page=2", headers=space)).json()
    assert [t["id"] for t in page["data"]] == ids[2:]
    assert page["has_more"] is False
    for i in ids:
        await wait_for(client, space, f"/v1/trainings/{i}")


async def test_a_finished_training_changes_only_its_name_and_benchmarks(
    client: httpx.AsyncClient, space: dict[str, str], bucket: Bucket
) -> None:
    setup = await credit_setup(client, space, bucket, rows=60)
    made = await post(
        client,
        space,
        "/v1/trainings",
        training_body(setup, "logistic_regression", configuration={"checkpoints": 1}),
    )
    await wait_for(client, space, f"/v1/trainings/{made['id']}")
    r = await client.patch(
        f"/v1/trainings/{made['id']}", json={"configuration": {"C": 2}}, headers=space
    )
    assert r.status_code == 409
    assert r.json()["code"] == "training_started" and "configuration" in r.json()["detail"]
    r = await client.patch(f"/v1/trainings/{made['id']}", json={"name": "kept"}, headers=space)
    assert r.status_code == 200 and r.json()["name"] == "kept"
    r = await client.delete(f"/v1/trainings/{made['id']}", headers=space)
    assert r.json() == {"id": made["id"]}
    assert (await client.get(f"/v1/trainings/{made['id']}", headers=space)).status_code == 404


async def test_delete_cancels_a_training_before_it_ends(
    client: httpx.AsyncClient, space: dict[str, str], bucket: Bucket, app: Any
) -> None:
    setup = await credit_setup(client, space, bucket, rows=60)
    async with jobs_held():  # the training is surely still queued
        made = await post(client, space, "/v1/trainings", training_body(setup, "random_forest"))
        r = await client.delete(f"/v1/trainings/{made['id']}", headers=space)
        assert r.status_code == 200 and r.json() == {"id": made["id"]}
    got = (await client.get(f"/v1/trainings/{made['id']}", headers=space)).json()
    assert got["status"] == "cancelled"
    job = (await client.get(f"/v1/jobs/{got['job_id']}", headers=space)).json()
    assert job["status"] == "cancelled"
    assert got["checkpoints"] == []


async def test_a_training_on_a_missing_file_fails_with_the_reason(
    client: httpx.AsyncClient, space: dict[str, str], bucket: Bucket
) -> None:
    setup = await credit_setup(client, space, bucket, rows=40)
    body = training_body(setup, "logistic_regression")
    body["connectors"][0]["files"] = ["credit/nope.csv"]
    made = await post(client, space, "/v1/trainings", body)
    done = await wait_for(client, space, f"/v1/trainings/{made['id']}")
    assert done["status"] == "failed"
    assert "credit/nope.csv" in done["error"]


async def test_a_training_whose_job_was_given_up_is_not_left_running(
    client: httpx.AsyncClient, space: dict[str, str], bucket: Bucket, app: Any, runtime: Runtime
) -> None:
    import uuid

    from sqlalchemy import update

    from spacegate.models import Job

    setup = await credit_setup(client, space, bucket, rows=40)
    async with jobs_held():
        made = await post(client, space, "/v1/trainings", training_body(setup, "random_forest"))
        # What the runner writes when a job's last worker died mid-run and its tries are spent.
        async with runtime.write_sessions() as s, s.begin():
            await s.execute(
                update(Job)
                .where(Job.id == uuid.UUID(made["job_id"]))
                .values(
                    status="failed", error="Gave up after 2 tries: the worker running it stopped."
                )
            )
    got = (await client.get(f"/v1/trainings/{made['id']}", headers=space)).json()
    assert got["status"] == "failed"
    assert "Gave up" in got["error"]
