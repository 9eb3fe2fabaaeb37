"""The training job: read the files, fit the architecture stage by stage, save a checkpoint
and its metrics after each stage, queue the training's benchmarks on each new checkpoint.

Re-run from the start after a dead worker: it first removes what an earlier try saved.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncGenerator
from typing import Any

from sqlalchemy import delete

from spacegate import jobs
from spacegate.errors import AppError
from spacegate.factory import architectures, artifacts, events, local, trainer
from spacegate.factory.clusters import remote
from spacegate.factory.executor import EVALUATION_KIND, TRAINING_KIND, executor
from spacegate.factory.work import fetch_frame, row_of, sources
from spacegate.jobs import JobCancelled, JobContext, RetryLater
from spacegate.kit.clock import utcnow
from spacegate.models import Benchmark, Checkpoint, DataModel, Evaluation, Training


async def _set(ctx: JobContext, **values: Any) -> Training | None:
    async with ctx.runtime.write_sessions() as s, s.begin():
        training = await row_of(s, ctx, Training, ctx.subject_id)
        if training is None:
            return None
        for name, value in values.items():
            setattr(training, name, value)
        training.updated_at = utcnow()
        if "status" in values:
            await events.emit(
                s,
                ctx.org_id,
                training.space_id,
                f"training.{values['status']}",
                training.id,
                {"name": training.name, "status": values["status"]},
            )
        return training


@jobs.handler(TRAINING_KIND, long=True)
async def run_training(ctx: JobContext) -> dict[str, Any]:
    try:
        return await _train(ctx)
    except JobCancelled:
        await _set(ctx, status="cancelled")
        raise
    except RetryLater:  # the cluster is away for now: the job is queued again
        raise
    except AppError as exc:
        await _set(ctx, status="failed", error=exc.message)
        raise
    except Exception as exc:
        await _set(ctx, status="failed", error=f"{type(exc).__name__}: {exc}"[:2000])
        raise


async def _train(ctx: JobContext) -> dict[str, Any]:
    data_dir = ctx.runtime.settings.data_dir
    async with ctx.runtime.write_sessions() as s, s.begin():
        training = await row_of(s, ctx, Training, ctx.subject_id)
        if training is None:
            return {"skipped": "training deleted"}
        data_model = await row_of(s, ctx, DataModel, training.data_model_id)
        if data_model is None or not data_model.target_column:
            raise AppError("The data model names no target column.", code="target_column_missing")
        arch, config = (
            training.architecture,
            architectures.validated(training.architecture, training.configuration),
        )
        target, wanted = data_model.target_column, list(data_model.feature_columns)
        refs = list(training.connectors)
        # A try before this one may have saved checkpoints: start again from none.
        await s.execute(delete(Checkpoint).where(Checkpoint.training_id == training.id))
        training.status, training.metrics, training.error = "running", [], None
        training.updated_at = utcnow()
        found = await sources(s, ctx, refs)
        space_id, training_id, name = training.space_id, training.id, training.name
        gpus = training.gpu_count
        await events.emit(s, ctx.org_id, space_id, "training.running", training_id, {"name": name})
    await artifacts.remove_training(data_dir, space_id, training_id)
    frame = await fetch_frame(found)
    cluster = await remote.cluster_of(ctx)
    if cluster is not None:
        stages: AsyncGenerator[trainer.Stage] = _each(
            await remote.train(
                ctx, cluster, frame, gpus=gpus, target=target, features=wanted,
                architecture=arch, configuration=config,
            )
        )  # fmt: skip
    else:
        stages = local.train(
            ctx, frame, target=target, features=wanted, architecture=arch, configuration=config
        )
    history: list[dict[str, Any]] = []
    ctx.progress(stages=len(architectures.stages(arch, config)))
    async with contextlib.aclosing(stages):  # a failure here stops the computation at once
        async for stage in stages:
            rel = artifacts.relative_path(space_id, training_id, stage.step)
            await artifacts.save(data_dir, rel, stage.artifact)
            history.append(stage.metrics)
            ctx.progress(stage=len(history), step=stage.step)
            await _save_checkpoint(ctx, training_id, name, arch, stage, rel)
    await _set(ctx, status="succeeded", metrics=history)
    return {"checkpoints": len(history), "final": history[-1] if history else None}


async def _each(stages: list[trainer.Stage]) -> AsyncGenerator[trainer.Stage]:
    for stage in stages:
        yield stage


async def _save_checkpoint(
    ctx: JobContext,
    training_id: uuid.UUID,
    name: str,
    arch: str,
    stage: trainer.Stage,
    rel: str,
) -> None:
    principal = await ctx.principal()
    async with ctx.runtime.write_sessions() as s, s.begin():
        training = await row_of(s, ctx, Training, training_id)
        if training is None:
            return
        checkpoint = Checkpoint(
            org_id=ctx.org_id,
            space_id=training.space_id,
            created_by=training.created_by,
            training_id=training_id,
            name=f"{name}-step-{stage.step}",
            step=stage.step,
            architecture=arch,
            feature_columns=stage.features,
            metrics={**stage.metrics, "classes": stage.classes},
            artifact_path=rel,
            size_bytes=len(stage.artifact),
            sha256=stage.sha256,
        )
        s.add(checkpoint)
        training.metrics = [*training.metrics, stage.metrics]
        training.updated_at = utcnow()
        await s.flush()
        await events.emit(
            s,
            ctx.org_id,
            training.space_id,
            "checkpoint.created",
            checkpoint.id,
            {"training_id": str(training_id), "step": checkpoint.step},
        )
        for bench_id in training.benchmark_ids:
            benchmark = await row_of(s, ctx, Benchmark, uuid.UUID(bench_id))
            if benchmark is None:
                continue
            evaluation = Evaluation(
                org_id=ctx.org_id,
                space_id=training.space_id,
                created_by=training.created_by,
                benchmark_id=benchmark.id,
                checkpoint_id=checkpoint.id,
                gpu_count=training.gpu_count,
            )
            s.add(evaluation)
            await s.flush()
            evaluation.job_id = executor().submit(
                s, EVALUATION_KIND, evaluation.id, principal, training.space_id
            )
