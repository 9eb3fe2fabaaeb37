"""Evaluations: one checkpoint measured on one benchmark, in a background job."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from spacegate import jobs
from spacegate.errors import AppError, NotFound, Unprocessable
from spacegate.factory import artifacts, events, local
from spacegate.factory.benchmarks import BenchmarkService
from spacegate.factory.checkpoints import CheckpointService
from spacegate.factory.clusters import remote
from spacegate.factory.executor import EVALUATION_KIND, adopt_outcomes, executor
from spacegate.factory.trainings import check_gpus
from spacegate.factory.work import fetch_frame, row_of, sources
from spacegate.jobs import JobContext, RetryLater
from spacegate.kit.clock import utcnow
from spacegate.models import Benchmark, Checkpoint, DataModel, Evaluation, Training
from spacegate.resources import ResourceService, ResourceSpec


class EvaluationService(ResourceService[Evaluation]):
    model = Evaluation
    spec = ResourceSpec(label="Evaluation", permission="evaluations", name="evaluation")

    async def validate(self, values: dict[str, Any], current: Evaluation | None) -> dict[str, Any]:
        await check_gpus(self, values["gpu_count"])
        await BenchmarkService(self.session, self.scope, self.cursors).get(values["benchmark_id"])
        await CheckpointService(self.session, self.scope, self.cursors).get(values["checkpoint_id"])
        values["updated_by"] = self.scope.principal.user_id
        return values

    def filtered(self, stmt: Select[Any], filters: dict[str, Any]) -> Select[Any]:
        filters = dict(filters)
        training_id = filters.pop("training_id", None)
        if training_id is not None:
            of_training = select(Checkpoint.id).where(
                Checkpoint.org_id == self.scope.org_id,
                Checkpoint.space_id == self.scope.space_id,
                Checkpoint.training_id == training_id,
            )
            stmt = stmt.where(Evaluation.checkpoint_id.in_(of_training))
        return super().filtered(stmt, filters)

    async def get(self, ident: Any, *, permission: str = "get", lock: bool = False) -> Evaluation:
        evaluation = await super().get(ident, permission=permission, lock=lock)
        await adopt_outcomes(self.session, [evaluation])
        return evaluation

    async def roc(self, ident: Any) -> dict[str, Any]:
        """The evaluation's ROC curve as points; 404 until the evaluation has computed it."""
        evaluation = await self.get(ident)
        roc = evaluation.roc
        if not roc:
            raise NotFound(
                f"Evaluation '{ident}' has no ROC curve (yet): it is {evaluation.status}.",
                code="roc_not_found",
            )
        points = zip(roc["fpr"], roc["tpr"], roc["thresholds"], strict=True)
        return {
            "evaluation_id": evaluation.id,
            "checkpoint_id": evaluation.checkpoint_id,
            "benchmark_id": evaluation.benchmark_id,
            "auc": roc["auc"],
            "points": [{"fpr": f, "tpr": t, "threshold": th} for f, t, th in points],
        }

    async def create(self, values: dict[str, Any]) -> Evaluation:
        evaluation = await super().create(values)
        evaluation.job_id = executor().submit(
            self.session, EVALUATION_KIND, evaluation.id, self.scope.principal, self.scope.space_id
        )
        await self.session.flush()
        return evaluation


async def _finish(ctx: JobContext, **values: Any) -> None:
    async with ctx.runtime.write_sessions() as s, s.begin():
        evaluation = await row_of(s, ctx, Evaluation, ctx.subject_id)
        if evaluation is None:
            return
        for name, value in values.items():
            setattr(evaluation, name, value)
        evaluation.updated_at = utcnow()
        await events.emit(
            s,
            ctx.org_id,
            evaluation.space_id,
            f"evaluation.{values['status']}",
            evaluation.id,
            {"status": values["status"], "result": values.get("result", {})},
        )


@jobs.handler(EVALUATION_KIND)
async def run_evaluation(ctx: JobContext) -> dict[str, Any]:
    try:
        measured = await _evaluate(ctx)
    except RetryLater:  # the cluster is away for now: the job is queued again
        raise
    except AppError as exc:
        await _finish(ctx, status="failed", error=exc.message)
        raise
    except Exception as exc:
        await _finish(ctx, status="failed", error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    result: dict[str, Any] = measured.get("metrics", {})
    await _finish(ctx, status="succeeded", result=result, roc=measured.get("roc"), error=None)
    return result


async def _evaluate(ctx: JobContext) -> dict[str, Any]:
    """``{"metrics", "roc"}`` (``measure.measure``), computed locally or on the cluster."""
    async with ctx.runtime.write_sessions() as s, s.begin():
        evaluation = await row_of(s, ctx, Evaluation, ctx.subject_id)
        if evaluation is None:
            return {}
        evaluation.status = "running"
        checkpoint = await row_of(s, ctx, Checkpoint, evaluation.checkpoint_id)
        benchmark = await row_of(s, ctx, Benchmark, evaluation.benchmark_id)
        if checkpoint is None or benchmark is None:
            raise Unprocessable("The checkpoint or the benchmark is gone.", code="gone")
        training = await row_of(s, ctx, Training, checkpoint.training_id)
        data_model = await row_of(s, ctx, DataModel, training.data_model_id) if training else None
        if data_model is None or not data_model.target_column:
            raise Unprocessable("The checkpoint's data model names no target.", code="no_target")
        target, names = data_model.target_column, list(benchmark.metrics)
        found = await sources(s, ctx, list(benchmark.connectors))
        rel, digest, gpus = checkpoint.artifact_path, checkpoint.sha256, evaluation.gpu_count
    blob = await artifacts.read(ctx.runtime.settings.data_dir, rel, digest)
    frame = await fetch_frame(found)
    cluster = await remote.cluster_of(ctx)
    if cluster is not None:
        return await remote.evaluate(
            ctx, cluster, frame, gpus=gpus, artifact=blob, target=target, metrics=names
        )
    return await local.evaluate(ctx, frame, artifact=blob, target=target, metrics=names)
