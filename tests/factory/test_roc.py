"""An evaluation's ROC curve (ours): computed with its result, the same as scikit-learn's on the
benchmark's rows, its AUC the result's roc_auc; 404 until it is computed."""

from __future__ import annotations

import io

import httpx
import numpy as np
import pytest
from sklearn import metrics as m

from tests.factory.conftest import Bucket, credit_csv
from tests.factory.flow import benchmark_body, credit_setup, post, training_body, wait_for
from tests.jobs.hold import jobs_held

pytestmark = pytest.mark.usefixtures("private_networks")


async def _scores(client: httpx.AsyncClient, h: dict[str, str], checkpoint_id: str) -> np.ndarray:
    import joblib
    import pandas as pd

    blob = (await client.get(f"/v1/checkpoints/{checkpoint_id}/download", headers=h)).content
    state = joblib.load(io.BytesIO(blob))
    frame = pd.read_csv(io.BytesIO(credit_csv(300, seed=2)))  # credit/test.csv
    scores: np.ndarray = state["pipeline"].predict_proba(frame[state["features"]])[:, 1]
    return scores


async def test_an_evaluations_roc_curve_is_scikit_learns(
    client: httpx.AsyncClient, space: dict[str, str], bucket: Bucket
) -> None:
    setup = await credit_setup(client, space, bucket)
    benchmark = await post(
        client,
        space,
        "/v1/benchmarks",
        benchmark_body(setup, ["roc_auc", "accuracy"]),
    )
    made = await post(
        client,
        space,
        "/v1/trainings",
        training_body(
            setup,
            "logistic_regression",
            configuration={"checkpoints": 1},
            benchmark_ids=[benchmark["id"]],
        ),
    )
    training = await wait_for(client, space, f"/v1/trainings/{made['id']}")
    assert training["status"] == "succeeded", training
    checkpoint = training["checkpoints"][-1]["id"]
    listed = await client.get(
        "/v1/evaluations", params={"checkpoint_id": checkpoint}, headers=space
    )
    evaluation = await wait_for(client, space, f"/v1/evaluations/{listed.json()['data'][0]['id']}")
    assert evaluation["status"] == "succeeded", evaluation
    assert set(evaluation["result"]) == {"roc_auc", "accuracy"}  # the seed's shape, unchanged

    r = await client.get(f"/v1/evaluations/{evaluation['id']}/roc", headers=space)
    assert r.status_code == 200, r.text
    roc = r.json()
    assert {k: roc[k] for k in ("evaluation_id", "checkpoint_id", "benchmark_id")} == {
        "evaluation_id": evaluation["id"],
        "checkpoint_id": checkpoint,
        "benchmark_id": benchmark["id"],
    }
    y = np.array([int(line.split(b",")[-1]) for line in credit_csv(300, seed=2).splitlines()[1:]])
    fpr, tpr, thresholds = m.roc_curve(y, await _scores(client, space, checkpoint))
    assert len(fpr) <= 200  # 300 rows: the whole curve is kept
    points = roc["points"]
    assert [p["fpr"] for p in points] == pytest.approx(list(fpr), abs=1e-12)
    assert [p["tpr"] for p in points] == pytest.approx(list(tpr), abs=1e-12)
    assert points[0]["threshold"] is None and not np.isfinite(thresholds[0])
    assert [p["threshold"] for p in points[1:]] == pytest.approx(list(thresholds[1:]), abs=1e-12)
    assert roc["auc"] == pytest.approx(evaluation["result"]["roc_auc"], abs=1e-12)
    area = np.trapezoid([p["tpr"] for p in points], [p["fpr"] for p in points])
    assert area == pytest.approx(evaluation["result"]["roc_auc"], abs=1e-9)

    # Not computed yet: 404, and it says why.
    async with jobs_held():
        queued = await post(
            client,
            space,
            "/v1/evaluations",
            {"benchmark_id": benchmark["id"], "checkpoint_id": checkpoint, "gpu_count": 0},
        )
        r = await client.get(f"/v1/evaluations/{queued['id']}/roc", headers=space)
        assert r.status_code == 404 and r.json()["code"] == "roc_not_found", r.text
        assert "queued" in r.json()["detail"]
