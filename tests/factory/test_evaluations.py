"""Evaluations computed for real, on a training's new checkpoints and on request; the
leaderboard ranks the checkpoints: the whole flow from a bucket's CSV."""

from __future__ import annotations

import io
from typing import Any

import httpx
import numpy as np
import pytest
from scipy import stats
from sklearn import metrics as m

from spacegate.factory.tasks import METRICS
from tests.factory.conftest import Bucket, credit_csv
from tests.factory.flow import benchmark_body, credit_setup, post, training_body, wait_for

pytestmark = pytest.mark.usefixtures("private_networks")


async def _expected(
    client: httpx.AsyncClient, h: dict[str, str], checkpoint_id: str, csv: bytes
) -> dict[str, float]:
    """The metrics computed here, from the downloaded checkpoint, with sklearn and scipy."""
    import joblib
    import pandas as pd

    blob = (await client.get(f"/v1/checkpoints/{checkpoint_id}/download", headers=h)).content
    state = joblib.load(io.BytesIO(blob))
    frame = pd.read_csv(io.BytesIO(csv))
    y = frame["default"].to_numpy()
    score = state["pipeline"].predict_proba(frame[state["features"]])[:, 1]
    pred = (score >= 0.5).astype(int)
    auc = m.roc_auc_score(y, score)
    return {
        "accuracy": m.accuracy_score(y, pred),
        "f1": m.f1_score(y, pred),
        "precision": m.precision_score(y, pred, zero_division=0),
        "recall": m.recall_score(y, pred),
        "roc_auc": auc,
        "log_loss": m.log_loss(y, score),
        "ks": stats.ks_2samp(score[y == 1], score[y == 0]).statistic,
        "gini": 2 * auc - 1,
    }


async def _evaluations(client: httpx.AsyncClient, h: dict[str, str], **q: str) -> list[Any]:
    r = await client.get("/v1/evaluations", params={"limit": 100, **q}, headers=h)
    assert r.status_code == 200, r.text
    data: list[Any] = r.json()["data"]
    return data


async def test_credit_flow_from_bucket_to_leaderboard(
    client: httpx.AsyncClient, space: dict[str, str], bucket: Bucket
) -> None:
    setup = await credit_setup(client, space, bucket, rows=800)
    scan = await post(
        client,
        space,
        f"/v1/connectors/{setup['connector']}/scan",
        {"files": ["credit/train.csv", "credit/test.csv"]},
    )
    await wait_for(client, space, f"/v1/jobs/{scan['id']}")
    schema = (await client.get(f"/v1/connectors/{setup['connector']}", headers=space)).json()
    assert schema["scan"]["files"]["credit/train.csv"]["row_count"] == 800

    holdout = await post(
        client,
        space,
        "/v1/benchmarks",
        benchmark_body(setup, list(METRICS)),
    )
    bucket.put("credit/recent.csv", credit_csv(300, seed=3))
    recent = await post(
        client,
        space,
        "/v1/benchmarks",
        benchmark_body(setup, ["roc_auc", "log_loss"], "recent", ("credit/recent.csv",)),
    )
    trainings = {}
    for arch, config in (
        ("logistic_regression", {"checkpoints": 2}),
        ("random_forest", {"n_estimators": 40, "max_depth": 2, "checkpoints": 2}),
    ):
        made = await post(
            client,
            space,
            "/v1/trainings",
            training_body(
                setup, arch, configuration=config, benchmark_ids=[holdout["id"], recent["id"]]
            ),
        )
        trainings[arch] = await wait_for(client, space, f"/v1/trainings/{made['id']}")
        assert trainings[arch]["status"] == "succeeded", trainings[arch]
    checkpoints = [c["id"] for t in trainings.values() for c in t["checkpoints"]]
    assert len(checkpoints) == 4

    # Each new checkpoint was evaluated on both benchmarks, by itself.
    evaluations = await _evaluations(client, space)
    assert sorted((e["checkpoint_id"], e["benchmark_id"]) for e in evaluations) == sorted(
        (c, b) for c in checkpoints for b in (holdout["id"], recent["id"])
    )
    for e in evaluations:
        await wait_for(client, space, f"/v1/evaluations/{e['id']}")
    # One training's evaluations only, in one call (the console's training page).
    rf = trainings["random_forest"]
    of_rf = await _evaluations(client, space, training_id=rf["id"])
    assert sorted(e["checkpoint_id"] for e in of_rf) == sorted(
        c["id"] for c in rf["checkpoints"] for _ in range(2)
    )
    test_csv = credit_csv(400, seed=2)
    for e in await _evaluations(client, space, benchmark_id=holdout["id"]):
        assert e["status"] == "succeeded", e
        assert set(e["result"]) == set(METRICS)
        expected = await _expected(client, space, e["checkpoint_id"], test_csv)
        assert e["result"] == pytest.approx(expected, abs=1e-9)

    # On request, too: the same numbers.
    one = await post(
        client,
        space,
        "/v1/evaluations",
        {"benchmark_id": holdout["id"], "checkpoint_id": checkpoints[0], "gpu_count": 0},
    )
    assert set(one) >= {"benchmark_id", "checkpoint_id", "gpu_count", "result", "created_by"}
    one = await wait_for(client, space, f"/v1/evaluations/{one['id']}")
    assert one["result"] == pytest.approx(
        await _expected(client, space, checkpoints[0], test_csv), abs=1e-9
    )

    # The leaderboard: by roc_auc on the holdout, highest first.
    r = await client.get(
        "/v1/leaderboards",
        params={
            "order_by_metric.benchmark_id": holdout["id"],
            "order_by_metric.metric_name": "roc_auc",
            "limit": 10,
        },
        headers=space,
    )
    assert r.status_code == 200, r.text
    board = r.json()["data"]
    aucs = {e["checkpoint_id"]: e["results"][holdout["id"]]["roc_auc"] for e in board}
    assert [e["checkpoint_id"] for e in board] == sorted(aucs, key=lambda c: -aucs[c])
    assert [e["rank"] for e in board] == [1, 2, 3, 4]
    assert [e["score"] for e in board] == [aucs[e["checkpoint_id"]] for e in board]

    # log_loss averaged over both benchmarks: lower is better, so it comes first by default.
    r = await client.get(
        "/v1/leaderboards", params={"order_by_metric.metric_name": "log_loss"}, headers=space
    )
    board = r.json()["data"]
    means = {
        e["checkpoint_id"]: np.mean([res["log_loss"] for res in e["results"].values()])
        for e in board
    }
    assert [e["score"] for e in board] == pytest.approx(sorted(means.values()))

    # Filters and pages.
    rf = trainings["random_forest"]["id"]
    r = await client.get(
        "/v1/leaderboards",
        params={"trainings": [rf], "order_by_metric.metric_name": "roc_auc", "limit": 1},
        headers=space,
    )
    first = r.json()
    assert first["count"] == 1 and first["has_more"] is True
    assert first["data"][0]["training_id"] == rf
    r = await client.get(
        "/v1/leaderboards",
        params={
            "trainings": [rf],
            "order_by_metric.metric_name": "roc_auc",
            "limit": 1,
            "after": first["data"][0]["checkpoint_id"],
        },
        headers=space,
    )
    second = r.json()
    assert second["has_more"] is False and second["data"][0]["training_id"] == rf
    assert second["data"][0]["rank"] == 2
    r = await client.get(
        "/v1/leaderboards", params={"name": "logistic_regression-step"}, headers=space
    )
    assert {e["architecture"] for e in r.json()["data"]} == {"logistic_regression"}
    r = await client.get("/v1/leaderboards", params={"after": "garbage"}, headers=space)
    assert r.status_code == 400
