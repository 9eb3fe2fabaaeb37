"""The factory's resources and the action groups through the async client, against a live
Spacegate; the async client offers every resource (and call) the sync one does."""

from __future__ import annotations

import asyncio
import inspect
import time
import uuid

import pytest

from spacegate.client import AsyncSpacegate, NotFoundError, Spacegate
from spacegate.wire.copilot.action_groups import ActionGroupRead
from spacegate.wire.factory.checkpoints import CheckpointRead
from tests.factories import OrgCtx
from tests.factory.conftest import Bucket, credit_csv
from tests.factory.flow import DONE
from tests.jobs.hold import jobs_held
from tests.live import LiveServer


def _calls(resource: object) -> set[str]:
    return {n for n, _ in inspect.getmembers(resource, callable) if not n.startswith("_")}


async def test_the_async_client_has_every_resource_and_call_of_the_sync_one() -> None:
    sync, aio = (
        Spacegate("http://127.0.0.1:9", "sk-x"),
        AsyncSpacegate("http://127.0.0.1:9", "sk-x"),
    )
    try:
        resources = {n for n in vars(sync) if not n.startswith("_")}
        assert resources == {n for n in vars(aio) if not n.startswith("_")}
        for name in sorted(resources):
            twin = getattr(aio, name)
            assert _calls(getattr(sync, name)) == _calls(twin), name
            for call in _calls(twin):
                answer = str(inspect.signature(getattr(twin, call)).return_annotation)
                pager = "Pager" in answer or "Iterator" in answer  # iterated with `async for`
                assert pager or inspect.iscoroutinefunction(getattr(twin, call)), f"{name}.{call}"
    finally:
        sync.close()
        await aio.aclose()


async def test_action_groups_crud(server: LiveServer, owner: OrgCtx, sg: Spacegate) -> None:
    space = sg.spaces.create(name=f"g-{uuid.uuid4().hex[:6]}", description="groups")
    async with AsyncSpacegate(server.url, owner.key, space_id=space.id) as asg:
        made = [await asg.action_groups.create(name=f"group {i}", description="") for i in range(3)]
        assert all(isinstance(g, ActionGroupRead) for g in made)
        listed = await asg.action_groups.list(page_size=2).to_list()
        assert [g.id for g in listed] == [g.id for g in made]
        renamed = await asg.action_groups.update(made[0].id, name="renamed")
        assert renamed.name == "renamed"
        assert (await asg.action_groups.get(made[0].id)).name == "renamed"
        await asg.action_groups.delete(made[1].id)
        with pytest.raises(NotFoundError):
            await asg.action_groups.get(made[1].id)


async def test_factory_end_to_end_async(
    server: LiveServer, owner: OrgCtx, sg: Spacegate, bucket: Bucket
) -> None:
    """Bucket → connector → data model → training → checkpoints → evaluation → leaderboard."""
    bucket.put("credit/train.csv", credit_csv(600, seed=3))
    bucket.put("credit/test.csv", credit_csv(300, seed=4))
    space = sg.spaces.create(name=f"a-{uuid.uuid4().hex[:6]}", description="factory")
    held = jobs_held(keep=server.app.state.jobs)  # its jobs reach the bucket on loopback
    async with held, AsyncSpacegate(server.url, owner.key, space_id=space.id) as fx:
        with pytest.raises(NotFoundError):
            await fx.clusters.get()
        with pytest.raises(NotFoundError):
            await fx.jobs.get(uuid.uuid4())
        lake = await fx.connectors.create(name="lake", type="aws-s3", s3=bucket.s3())
        assert [c.id async for c in fx.connectors.list()] == [lake.id]
        assert (await fx.connectors.get(lake.id)).name == "lake"
        files = await fx.connectors.files(lake.id, prefix="credit/")
        assert {f.key for f in files} == {"credit/train.csv", "credit/test.csv"}
        scan = await fx.connectors.scan(lake.id, ["credit/train.csv"])
        assert (await fx.jobs.get(scan.id)).id == scan.id
        dm = await fx.data_models.create(name="credit", target_column="default")
        dm = await fx.data_models.update(dm.id, description="risk")
        assert dm.description == "risk"
        train = [{"connector_id": str(lake.id), "files": ["credit/train.csv"]}]
        run = await fx.trainings.create(
            name="lr",
            architecture="logistic_regression",
            configuration={},
            connectors=train,
            data_model_id=dm.id,
            gpu_count=0,
        )
        assert [t.id for t in await fx.trainings.list(page_size=1).to_list()] == [run.id]
        deadline = time.monotonic() + 120
        while (run := await fx.trainings.get(run.id)).status not in DONE:
            assert time.monotonic() < deadline, run
            await asyncio.sleep(0.3)
        assert run.status == "succeeded", run.error
        points = await fx.checkpoints.list(training_id=run.id).to_list()
        assert points and {p.training_id for p in points} == {run.id}
        assert isinstance(await fx.checkpoints.get(points[-1].id), CheckpointRead)
        assert (await fx.checkpoints.download(points[-1].id))[:1]  # the joblib file
        row = {"income": 5000, "debt": 2000, "age": 40, "segment": "retail"}
        scored = await fx.checkpoints.score(points[-1].id, [row])
        assert 0.0 <= scored.predictions[0].score <= 1.0
        test = [{"connector_id": str(lake.id), "files": ["credit/test.csv"]}]
        bench = await fx.benchmarks.create(
            name="holdout",
            description="",
            task="binary_classification",
            metrics=["roc_auc", "log_loss"],
            connectors=test,
        )
        assert [b.id for b in await fx.benchmarks.list().to_list()] == [bench.id]
        evals = [
            await fx.evaluations.create(benchmark_id=bench.id, checkpoint_id=p.id, gpu_count=0)
            for p in points
        ]
        for e in evals:
            while (e := await fx.evaluations.get(e.id)).status not in DONE:
                assert time.monotonic() < deadline, e
                await asyncio.sleep(0.3)
            assert e.status == "succeeded" and set(e.result) >= {"roc_auc", "log_loss"}
        board = fx.leaderboards.list(benchmark_id=bench.id, metric_name="roc_auc", page_size=1)
        scores = [entry.score async for entry in board]
        assert len(scores) == len(points) and scores == sorted(scores, reverse=True)  # type: ignore[type-var]
