"""The factory's resources through the sync client, against a live Spacegate."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from spacegate.client import NotFoundError, Spacegate
from spacegate.wire.factory.data_models import DataModelRead
from tests.factories import OrgCtx
from tests.factory.conftest import Bucket, credit_csv
from tests.factory.flow import DONE
from tests.jobs.hold import jobs_held
from tests.live import LiveServer


def test_data_models_and_empty_factory_lists(
    server: LiveServer, owner: OrgCtx, sg: Spacegate
) -> None:
    space = sg.spaces.create(name=f"f-{uuid.uuid4().hex[:6]}", description="factory")
    with Spacegate(server.url, owner.key, space_id=space.id) as fx:
        made = [fx.data_models.create(name=f"dm{i}", target_column="default") for i in range(3)]
        assert all(isinstance(m, DataModelRead) for m in made)
        assert [m.id for m in fx.data_models.list(page_size=2)] == [m.id for m in made]
        changed = fx.data_models.update(made[0].id, description="risk")
        assert changed.description == "risk" and changed.target_column == "default"
        fx.data_models.delete(made[1].id)
        with pytest.raises(NotFoundError):
            fx.data_models.get(made[1].id)
        assert fx.trainings.list(page_size=2).to_list() == []
        assert fx.benchmarks.list(page_size=2).to_list() == []
        assert fx.checkpoints.list().to_list() == []
        assert fx.leaderboards.list(metric_name="roc_auc").to_list() == []


def test_connector_files_and_cluster_absent(
    server: LiveServer, owner: OrgCtx, sg: Spacegate
) -> None:

    space = sg.spaces.create(name=f"c-{uuid.uuid4().hex[:6]}", description="factory")
    with Spacegate(server.url, owner.key, space_id=space.id) as fx:
        assert fx.connectors.list().to_list() == []
        with pytest.raises(NotFoundError):
            fx.clusters.get()
        with pytest.raises(NotFoundError):
            fx.jobs.get(uuid.uuid4())


async def test_factory_end_to_end(
    server: LiveServer, owner: OrgCtx, sg: Spacegate, bucket: Bucket
) -> None:
    """Bucket → connector → data model → training → checkpoints → evaluation → leaderboard.
    Only the live server's runner works its jobs (they reach the bucket on loopback); the sync
    client runs on a thread, so this loop stays free for the runners it holds."""
    bucket.put("credit/train.csv", credit_csv(600, seed=1))
    bucket.put("credit/test.csv", credit_csv(300, seed=2))
    space = sg.spaces.create(name=f"e-{uuid.uuid4().hex[:6]}", description="factory")
    async with jobs_held(keep=server.app.state.jobs):
        await asyncio.to_thread(_end_to_end, server, owner, space.id, bucket)


def _end_to_end(server: LiveServer, owner: OrgCtx, space_id: uuid.UUID, bucket: Bucket) -> None:
    with Spacegate(server.url, owner.key, space_id=space_id) as fx:
        lake = fx.connectors.create(name="lake", type="aws-s3", s3=bucket.s3())
        assert {f.key for f in fx.connectors.files(lake.id, prefix="credit/")} == {
            "credit/train.csv",
            "credit/test.csv",
        }
        dm = fx.data_models.create(name="credit", target_column="default")
        files = [{"connector_id": str(lake.id), "files": ["credit/train.csv"]}]
        run = fx.trainings.create(
            name="lr",
            architecture="logistic_regression",
            configuration={},
            connectors=files,
            data_model_id=dm.id,
            gpu_count=0,
        )
        deadline = time.monotonic() + 120
        while (run := fx.trainings.get(run.id)).status not in DONE:
            assert time.monotonic() < deadline, run
            time.sleep(0.3)
        assert run.status == "succeeded", run.error
        points = fx.checkpoints.list(training_id=run.id).to_list()
        assert [p.id for p in points] and {p.training_id for p in points} == {run.id}
        assert fx.checkpoints.download(points[-1].id)[:1]  # the joblib file
        scored = fx.checkpoints.score(
            points[-1].id, [{"income": 5000, "debt": 2000, "age": 40, "segment": "retail"}]
        )
        assert 0.0 <= scored.predictions[0].score <= 1.0
        test = [{"connector_id": str(lake.id), "files": ["credit/test.csv"]}]
        bench = fx.benchmarks.create(
            name="holdout",
            description="",
            task="binary_classification",
            metrics=["roc_auc", "log_loss"],
            connectors=test,
        )
        evals = [
            fx.evaluations.create(benchmark_id=bench.id, checkpoint_id=p.id, gpu_count=0)
            for p in points
        ]
        for e in evals:
            while (e := fx.evaluations.get(e.id)).status not in DONE:
                assert time.monotonic() < deadline, e
                time.sleep(0.3)
            assert e.status == "succeeded" and set(e.result) >= {"roc_auc", "log_loss"}
            roc = fx.evaluations.roc(e.id)
            assert roc.auc == e.result["roc_auc"] and roc.checkpoint_id == e.checkpoint_id
            assert (roc.points[0].fpr, roc.points[-1].tpr) == (0.0, 1.0)
        board = fx.leaderboards.list(benchmark_id=bench.id, metric_name="roc_auc").to_list()
        scores = [b.score for b in board]
        assert len(board) == len(points) and scores == sorted(scores, reverse=True)  # type: ignore[type-var]
