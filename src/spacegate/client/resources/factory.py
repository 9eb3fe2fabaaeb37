"""The model factory of the client's space (seed 004): connectors, data models, trainings,
checkpoints, benchmarks, evaluations and leaderboards. Each resource's list pages the way the
seed pages it (``limit`` + ``after``; ``page`` + ``page_size``; ``page`` + ``pageSize``).

The calls are built once (``CrudOps`` and the functions below); the sync and async classes only
run them, each with its own parameter names and documentation."""

from __future__ import annotations

from typing import Any

from spacegate.client._http import AsyncTransport, Id, Op, SyncTransport, model, params
from spacegate.client.pagination import (
    AsyncPager,
    PageOp,
    SyncPager,
    numbered_list,
    platform_page,
)
from spacegate.client.resources._crud import AsyncCrud, CrudOps, SyncCrud
from spacegate.wire.base import IdResponse
from spacegate.wire.factory.benchmarks import BenchmarkCreate, BenchmarkRead, BenchmarkUpdate
from spacegate.wire.factory.checkpoints import CheckpointRead, ScoreResponse
from spacegate.wire.factory.data_models import DataModelCreate, DataModelRead, DataModelUpdate
from spacegate.wire.factory.evaluations import EvaluationCreate, EvaluationRead, RocCurve
from spacegate.wire.factory.leaderboards import LeaderboardEntry
from spacegate.wire.factory.trainings import TrainingCreate, TrainingRead, TrainingUpdate

_DATA_MODELS = CrudOps("/v1/data-models", DataModelRead, DataModelCreate, DataModelUpdate)
_TRAININGS = CrudOps("/v1/trainings", TrainingRead, TrainingCreate, TrainingUpdate)
_BENCHMARKS = CrudOps("/v1/benchmarks", BenchmarkRead, BenchmarkCreate, BenchmarkUpdate)
_EVALUATIONS = CrudOps("/v1/evaluations", EvaluationRead, EvaluationCreate, EvaluationCreate)
_ID = model(IdResponse)
Rows = list[dict[str, Any]]
_LEADERBOARD: Any = platform_page(LeaderboardEntry)


def _bytes(r: Any) -> bytes:
    content: bytes = r.content
    return content


def _leaderboard(limit: int, filters: dict[str, Any]) -> PageOp[LeaderboardEntry]:
    order = {
        "order_by_metric.benchmark_id": filters.pop("benchmark_id", None),
        "order_by_metric.metric_name": filters.pop("metric_name", None),
        "order_by_metric.direction": filters.pop("direction", None),
    }
    query = params(**filters, limit=limit) | params(**order)
    for name in ("benchmarks", "trainings"):
        if name in query:
            query[name] = [str(v) for v in query[name]]

    def fetch(cursor: str | None) -> Op[Any]:
        return Op("GET", "/v1/leaderboards", _LEADERBOARD, query | params(after=cursor))

    return fetch


def _trainings(size: int) -> PageOp[TrainingRead]:
    return numbered_list("/v1/trainings", TrainingRead, "pageSize", size)


def _benchmarks(size: int) -> PageOp[BenchmarkRead]:
    return numbered_list("/v1/benchmarks", BenchmarkRead, "page_size", size)


def _cancel(training_id: Id) -> Op[IdResponse]:
    return Op("DELETE", f"/v1/trainings/{training_id}", _ID)


def _checkpoints(training_id: Id | None, size: int) -> PageOp[CheckpointRead]:
    def fetch(cursor: str | None) -> Op[Any]:
        query = params(training_id=training_id, limit=size, after=cursor)
        return Op("GET", "/v1/checkpoints", platform_page(CheckpointRead), query)

    return fetch


def _checkpoint(checkpoint_id: Id) -> Op[CheckpointRead]:
    return Op("GET", f"/v1/checkpoints/{checkpoint_id}", model(CheckpointRead))


def _download(checkpoint_id: Id) -> Op[bytes]:
    return Op("GET", f"/v1/checkpoints/{checkpoint_id}/download", _bytes)


def _score(checkpoint_id: Id, rows: Rows) -> Op[ScoreResponse]:
    path = f"/v1/checkpoints/{checkpoint_id}/score"
    return Op("POST", path, model(ScoreResponse), body={"rows": rows})


class DataModels(SyncCrud[DataModelRead, DataModelCreate, DataModelUpdate]):
    ops = _DATA_MODELS

    def get(self, data_model_id: Id) -> DataModelRead:
        return self._t.run(_DATA_MODELS.get(data_model_id))

    def update(self, data_model_id: Id, body: DataModelUpdate | None = None, /, **f: Any) -> Any:
        return self._t.run(_DATA_MODELS.update(data_model_id, body, f))

    def delete(self, data_model_id: Id) -> None:
        self._t.run(_DATA_MODELS.delete(data_model_id))


class Trainings(SyncCrud[TrainingRead, TrainingCreate, TrainingUpdate]):
    """``list`` pages by ``page`` + ``pageSize``; ``delete`` cancels a training."""

    ops = _TRAININGS

    def list(self, *, page_size: int = 50) -> SyncPager[TrainingRead]:
        return SyncPager(self._t, _trainings(page_size))

    def get(self, training_id: Id) -> TrainingRead:
        return self._t.run(_TRAININGS.get(training_id))

    def update(self, training_id: Id, body: TrainingUpdate | None = None, /, **f: Any) -> Any:
        return self._t.run(_TRAININGS.update(training_id, body, f))

    def delete(self, training_id: Id) -> IdResponse:
        return self._t.run(_cancel(training_id))


class Benchmarks(SyncCrud[BenchmarkRead, BenchmarkCreate, BenchmarkUpdate]):
    ops = _BENCHMARKS

    def list(self, *, page_size: int = 50) -> SyncPager[BenchmarkRead]:
        return SyncPager(self._t, _benchmarks(page_size))

    def get(self, benchmark_id: Id) -> BenchmarkRead:
        return self._t.run(_BENCHMARKS.get(benchmark_id))

    def update(self, benchmark_id: Id, body: BenchmarkUpdate | None = None, /, **f: Any) -> Any:
        return self._t.run(_BENCHMARKS.update(benchmark_id, body, f))

    def delete(self, benchmark_id: Id) -> None:
        self._t.run(_BENCHMARKS.delete(benchmark_id))


class Checkpoints:
    """``download`` answers the checkpoint's file (joblib); ``score`` predicts on rows."""

    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def list(
        self, *, training_id: Id | None = None, page_size: int = 50
    ) -> SyncPager[CheckpointRead]:
        return SyncPager(self._t, _checkpoints(training_id, page_size))

    def get(self, checkpoint_id: Id) -> CheckpointRead:
        return self._t.run(_checkpoint(checkpoint_id))

    def download(self, checkpoint_id: Id) -> bytes:
        return self._t.run(_download(checkpoint_id))

    def score(self, checkpoint_id: Id, rows: Rows) -> ScoreResponse:
        return self._t.run(_score(checkpoint_id, rows))


def _roc(evaluation_id: Id) -> Op[RocCurve]:
    return Op("GET", f"/v1/evaluations/{evaluation_id}/roc", model(RocCurve))


class Evaluations(SyncCrud[EvaluationRead, EvaluationCreate, EvaluationCreate]):
    ops = _EVALUATIONS

    def get(self, evaluation_id: Id) -> EvaluationRead:
        return self._t.run(_EVALUATIONS.get(evaluation_id))

    def roc(self, evaluation_id: Id) -> RocCurve:
        """The checkpoint's ROC curve on the benchmark (404 until the evaluation computed it)."""
        return self._t.run(_roc(evaluation_id))


class Leaderboards:
    """``list(metric_name=, benchmark_id=, direction=, benchmarks=, trainings=, name=, ...)``:
    checkpoints ranked by ``order_by_metric``."""

    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def list(self, *, page_size: int = 10, **filters: Any) -> SyncPager[LeaderboardEntry]:
        return SyncPager(self._t, _leaderboard(page_size, filters))


class AsyncDataModels(AsyncCrud[DataModelRead, DataModelCreate, DataModelUpdate]):
    ops = _DATA_MODELS

    async def get(self, data_model_id: Id) -> DataModelRead:
        return await self._t.run(_DATA_MODELS.get(data_model_id))

    async def update(
        self, data_model_id: Id, body: DataModelUpdate | None = None, /, **f: Any
    ) -> DataModelRead:
        return await self._t.run(_DATA_MODELS.update(data_model_id, body, f))

    async def delete(self, data_model_id: Id) -> None:
        await self._t.run(_DATA_MODELS.delete(data_model_id))


class AsyncTrainings(AsyncCrud[TrainingRead, TrainingCreate, TrainingUpdate]):
    """``list`` pages by ``page`` + ``pageSize``; ``delete`` cancels a training."""

    ops = _TRAININGS

    def list(self, *, page_size: int = 50) -> AsyncPager[TrainingRead]:
        return AsyncPager(self._t, _trainings(page_size))

    async def get(self, training_id: Id) -> TrainingRead:
        return await self._t.run(_TRAININGS.get(training_id))

    async def update(
        self, training_id: Id, body: TrainingUpdate | None = None, /, **f: Any
    ) -> TrainingRead:
        return await self._t.run(_TRAININGS.update(training_id, body, f))

    async def delete(self, training_id: Id) -> IdResponse:
        return await self._t.run(_cancel(training_id))


class AsyncBenchmarks(AsyncCrud[BenchmarkRead, BenchmarkCreate, BenchmarkUpdate]):
    ops = _BENCHMARKS

    def list(self, *, page_size: int = 50) -> AsyncPager[BenchmarkRead]:
        return AsyncPager(self._t, _benchmarks(page_size))

    async def get(self, benchmark_id: Id) -> BenchmarkRead:
        return await self._t.run(_BENCHMARKS.get(benchmark_id))

    async def update(
        self, benchmark_id: Id, body: BenchmarkUpdate | None = None, /, **f: Any
    ) -> BenchmarkRead:
        return await self._t.run(_BENCHMARKS.update(benchmark_id, body, f))

    async def delete(self, benchmark_id: Id) -> None:
        await self._t.run(_BENCHMARKS.delete(benchmark_id))


class AsyncCheckpoints:
    """``download`` answers the checkpoint's file (joblib); ``score`` predicts on rows."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    def list(
        self, *, training_id: Id | None = None, page_size: int = 50
    ) -> AsyncPager[CheckpointRead]:
        return AsyncPager(self._t, _checkpoints(training_id, page_size))

    async def get(self, checkpoint_id: Id) -> CheckpointRead:
        return await self._t.run(_checkpoint(checkpoint_id))

    async def download(self, checkpoint_id: Id) -> bytes:
        return await self._t.run(_download(checkpoint_id))

    async def score(self, checkpoint_id: Id, rows: Rows) -> ScoreResponse:
        return await self._t.run(_score(checkpoint_id, rows))


class AsyncEvaluations(AsyncCrud[EvaluationRead, EvaluationCreate, EvaluationCreate]):
    ops = _EVALUATIONS

    async def get(self, evaluation_id: Id) -> EvaluationRead:
        return await self._t.run(_EVALUATIONS.get(evaluation_id))

    async def roc(self, evaluation_id: Id) -> RocCurve:
        return await self._t.run(_roc(evaluation_id))


class AsyncLeaderboards:
    """``list(metric_name=, benchmark_id=, ...)``: as ``Leaderboards.list``, iterated with
    ``async for``."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    def list(self, *, page_size: int = 10, **filters: Any) -> AsyncPager[LeaderboardEntry]:
        return AsyncPager(self._t, _leaderboard(page_size, filters))
