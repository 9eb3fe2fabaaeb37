"""The model factory of the client's space (seed 004): connectors, data models, trainings,
checkpoints, benchmarks, evaluations and leaderboards. Each resource's list pages the way the
seed pages it (``limit`` + ``after``; ``page`` + ``page_size``; ``page`` + ``pageSize``)."""

from __future__ import annotations

from typing import Any

from spacegate.api.factory.benchmarks import BenchmarkCreate, BenchmarkRead, BenchmarkUpdate
from spacegate.api.factory.checkpoints import CheckpointRead, ScoreResponse
from spacegate.api.factory.data_models import DataModelCreate, DataModelRead, DataModelUpdate
from spacegate.api.factory.evaluations import EvaluationCreate, EvaluationRead, RocCurve
from spacegate.api.factory.leaderboards import LeaderboardEntry
from spacegate.api.factory.trainings import TrainingCreate, TrainingRead, TrainingUpdate
from spacegate.api.schemas import IdResponse
from spacegate.client._http import Id, Op, model, params
from spacegate.client.pagination import PageOp, SyncPager, numbered_list, platform_page
from spacegate.client.resources._crud import CrudOps, SyncCrud

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
        return SyncPager(
            self._t, numbered_list("/v1/trainings", TrainingRead, "pageSize", page_size)
        )

    def get(self, training_id: Id) -> TrainingRead:
        return self._t.run(_TRAININGS.get(training_id))

    def update(self, training_id: Id, body: TrainingUpdate | None = None, /, **f: Any) -> Any:
        return self._t.run(_TRAININGS.update(training_id, body, f))

    def delete(self, training_id: Id) -> IdResponse:
        return self._t.run(Op("DELETE", f"/v1/trainings/{training_id}", _ID))


class Benchmarks(SyncCrud[BenchmarkRead, BenchmarkCreate, BenchmarkUpdate]):
    ops = _BENCHMARKS

    def list(self, *, page_size: int = 50) -> SyncPager[BenchmarkRead]:
        fetch = numbered_list("/v1/benchmarks", BenchmarkRead, "page_size", page_size)
        return SyncPager(self._t, fetch)

    def get(self, benchmark_id: Id) -> BenchmarkRead:
        return self._t.run(_BENCHMARKS.get(benchmark_id))

    def update(self, benchmark_id: Id, body: BenchmarkUpdate | None = None, /, **f: Any) -> Any:
        return self._t.run(_BENCHMARKS.update(benchmark_id, body, f))

    def delete(self, benchmark_id: Id) -> None:
        self._t.run(_BENCHMARKS.delete(benchmark_id))


class Checkpoints:
    """``download`` answers the checkpoint's file (joblib); ``score`` predicts on rows."""

    def __init__(self, transport: Any) -> None:
        self._t = transport

    def list(self, *, training_id: Id | None = None, page_size: int = 50) -> SyncPager[Any]:
        def fetch(cursor: str | None) -> Op[Any]:
            query = params(training_id=training_id, limit=page_size, after=cursor)
            return Op("GET", "/v1/checkpoints", platform_page(CheckpointRead), query)

        return SyncPager(self._t, fetch)

    def get(self, checkpoint_id: Id) -> CheckpointRead:
        return self._t.run(Op("GET", f"/v1/checkpoints/{checkpoint_id}", model(CheckpointRead)))  # type: ignore[no-any-return]

    def download(self, checkpoint_id: Id) -> bytes:
        return self._t.run(Op("GET", f"/v1/checkpoints/{checkpoint_id}/download", _bytes))  # type: ignore[no-any-return]

    def score(self, checkpoint_id: Id, rows: Rows) -> ScoreResponse:
        path = f"/v1/checkpoints/{checkpoint_id}/score"
        return self._t.run(Op("POST", path, model(ScoreResponse), body={"rows": rows}))  # type: ignore[no-any-return]


class Evaluations(SyncCrud[EvaluationRead, EvaluationCreate, EvaluationCreate]):
    ops = _EVALUATIONS

    def get(self, evaluation_id: Id) -> EvaluationRead:
        return self._t.run(_EVALUATIONS.get(evaluation_id))

    def roc(self, evaluation_id: Id) -> RocCurve:
        """The checkpoint's ROC curve on the benchmark (404 until the evaluation computed it)."""
        path = f"/v1/evaluations/{evaluation_id}/roc"
        return self._t.run(Op("GET", path, model(RocCurve)))


class Leaderboards:
    """``list(metric_name=, benchmark_id=, direction=, benchmarks=, trainings=, name=, ...)``:
    checkpoints ranked by ``order_by_metric``."""

    def __init__(self, transport: Any) -> None:
        self._t = transport

    def list(self, *, page_size: int = 10, **filters: Any) -> SyncPager[LeaderboardEntry]:
        return SyncPager(self._t, _leaderboard(page_size, filters))
