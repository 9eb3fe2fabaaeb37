"""A space with a cluster runs its trainings and evaluations there, as Ray jobs.

The Spacegate job stays the supervisor: it reads the rows, ships the computation (a copy of the
factory's database-free modules and the job's inputs) as the Ray job's working directory,
follows the Ray job to its end and saves what comes back, exactly as the local path does. The
Ray submission id is ``spacegate-<job id>``, so a job resumed after Spacegate itself died
follows its Ray job instead of starting it twice; a cancel stops the Ray job.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import spacegate
from spacegate.errors import AppError, Unprocessable
from spacegate.factory import task_main, trainer
from spacegate.factory.clusters import executor
from spacegate.factory.clusters.ray import RayRefused, RayUnavailable
from spacegate.factory.clusters.service import (
    ClusterEdge,
    cluster_of_space,
    dashboard_for,
    gpus_of,
)
from spacegate.jobs import JobContext, RetryLater
from spacegate.kit.crypto import cipher_for
from spacegate.models import Cluster

#: The modules the computation needs, relative to the ``spacegate`` package.
_CODE = (
    "errors.py",
    "factory/architectures.py",
    "factory/metrics.py",
    "factory/trainer.py",
    "factory/measure.py",
)


class ClusterWorkFailed(AppError):
    code = "cluster_job_failed"


def code_files() -> dict[str, bytes]:
    root = Path(spacegate.__file__).parent
    files = {"spacegate/__init__.py": b"", "spacegate/factory/__init__.py": b""}
    for rel in _CODE:
        files[f"spacegate/{rel}"] = (root / rel).read_bytes()
    files["task.py"] = Path(task_main.__file__).read_bytes()
    return files


async def cluster_of(ctx: JobContext) -> Cluster | None:
    """The job's space's cluster, if it has one."""
    async with ctx.runtime.read_sessions() as s:
        return await cluster_of_space(s, ctx.org_id, ctx.space_id)


def _edge(ctx: JobContext) -> ClusterEdge:
    settings = ctx.runtime.settings
    return ClusterEdge(
        http=ctx.gateway.http,
        cipher=cipher_for(settings.resolved_secret_key),
        allow_private_networks=settings.allow_private_networks,
    )


async def train(
    ctx: JobContext, cluster: Cluster, frame: Any, *, gpus: int, **inputs: Any
) -> list[trainer.Stage]:
    """``inputs``: target, features, architecture, configuration."""
    logs = await _run(ctx, cluster, {"kind": "training", "frame": frame, **inputs}, gpus)
    parsed = (task_main.parse(line) for line in logs.splitlines())
    return [trainer.Stage.from_wire(p[1]) for p in parsed if p is not None and p[0] == "stage"]


async def evaluate(
    ctx: JobContext, cluster: Cluster, frame: Any, *, gpus: int, **inputs: Any
) -> dict[str, Any]:
    """``inputs``: artifact, target, metrics. ``{"metrics", "roc"}`` as ``measure.measure``."""
    logs = await _run(ctx, cluster, {"kind": "evaluation", "frame": frame, **inputs}, gpus)
    outcome = executor.read_result(logs)
    return {"metrics": outcome["metrics"], "roc": outcome.get("roc")}


async def _run(ctx: JobContext, cluster: Cluster, inputs: dict[str, Any], gpus: int) -> str:
    dash = dashboard_for(_edge(ctx), cluster)
    where = f"the cluster '{cluster.name or cluster.manager_url}'"
    try:
        have = gpus_of(await dash.usage())
        if gpus > have:
            raise Unprocessable(
                f"gpu_count {gpus} is more than the {have:g} GPU(s) of {where}.",
                code="gpus_unavailable",
            )
        task = executor.RayTask(
            files={**code_files(), "inputs.pkl": pickle.dumps(inputs, protocol=4)},
            entrypoint="python task.py",
            num_cpus=1,
            num_gpus=float(gpus),
            metadata={"spacegate_job": str(ctx.id), "kind": str(inputs["kind"])},
        )

        async def on_status(status: str) -> None:
            ctx.progress(cluster=cluster.name, ray_status=status)

        outcome = await executor.run(
            dash, task, f"spacegate-{ctx.id}", checkpoint=ctx.checkpoint, on_status=on_status
        )
    except RayUnavailable as exc:
        raise RetryLater(f"{where} is not answering: {exc}", delay=15.0) from None
    except RayRefused as exc:
        raise ClusterWorkFailed(f"{where} refused the job ({exc.status}): {exc}") from None
    except executor.ClusterJobFailed as exc:
        raise ClusterWorkFailed(f"On {where}: {exc}") from None
    ctx.progress(ray_submission_id=outcome.submission_id)
    error = outcome.result.get("error")
    if error:
        raise ClusterWorkFailed(f"On {where}: {error}")
    return outcome.logs
