"""``spacegate trainings``: a space's model trainings (seed 004): list, show, create, watch one
until it ends, cancel."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

import typer

from spacegate.cli.remote import Failure, Remote, columns, remote

trainings = typer.Typer(help="A space's model trainings.", no_args_is_help=True)

SpaceOpt = Annotated[str, typer.Option("--space", help="Space id or name.")]
IdArg = Annotated[str, typer.Argument(help="Training id.")]
#: A training in one of these states changes no more.
TERMINAL = ("succeeded", "failed", "cancelled")
#: Between two looks at a watched training (Ctrl-C arrives here, mostly).
pause = time.sleep
_SHOWN = (
    "id",
    "name",
    "architecture",
    "status",
    "data_model_id",
    "gpu_count",
    "connectors",
    "benchmark_ids",
    "configuration",
    "error",
    "job_id",
    "created_at",
    "updated_at",
)


def latest(metrics: list[dict[str, Any]]) -> str:
    """The last stage's metrics, as ``name=value`` (numbers rounded)."""
    if not metrics:
        return ""
    return ", ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics[-1].items()
    )


@remote(trainings, "list")
def list_trainings(r: Remote, space: SpaceOpt) -> None:
    """The space's trainings, with their latest metrics."""
    rows = list(r.in_space(space).trainings.list(page_size=100))
    r.table(
        rows,
        columns(
            "id",
            "name",
            "architecture",
            "status",
            ("latest metrics", lambda t: latest(t.metrics)),
            ("checkpoints", lambda t: len(t.checkpoints)),
            "created_at",
        ),
    )


@remote(trainings, "show")
def show(r: Remote, training_id: IdArg, space: SpaceOpt) -> None:
    """A training, its metrics after each stage and its checkpoints."""
    got = r.in_space(space).trainings.get(training_id)
    if r.as_json:
        r.json_line(got.model_dump(mode="json"))
        return
    r.show(got, _SHOWN)
    for i, stage in enumerate(got.metrics, 1):
        r.out.print(f"stage {i}: {latest([stage])}", markup=False, highlight=False)
    r.table(got.checkpoints, columns("id", "name", "step", "created_at"))


@remote(trainings, "create")
def create(
    r: Remote,
    space: SpaceOpt,
    name: Annotated[str, typer.Option(help="Its name.")],
    architecture: Annotated[str, typer.Option(help="logistic_regression, xgboost ...")],
    data_model: Annotated[str, typer.Option("--data-model", help="Data model id.")],
    connector: Annotated[str, typer.Option(help="Connector id holding the training files.")],
    file: Annotated[list[str], typer.Option("--file", help="A file key in it (repeat).")],
    gpus: Annotated[int, typer.Option("--gpus", help="GPUs to use (0: CPU).")] = 0,
    config: Annotated[str, typer.Option(help="The architecture's configuration (JSON).")] = "{}",
    benchmark: Annotated[
        list[str] | None,
        typer.Option("--benchmark", help="Benchmark id to evaluate each checkpoint on (repeat)."),
    ] = None,
) -> None:
    """Start a training."""
    try:
        configuration = json.loads(config)
    except ValueError as exc:
        raise Failure(f"--config is not JSON: {exc}") from None
    made = r.in_space(space).trainings.create(
        name=name,
        architecture=architecture,
        configuration=configuration,
        connectors=[{"connector_id": connector, "files": file}],
        data_model_id=data_model,
        gpu_count=gpus,
        benchmark_ids=benchmark or [],
    )
    r.show(made, _SHOWN)


@remote(trainings, "watch")
def watch(
    r: Remote,
    training_id: IdArg,
    space: SpaceOpt,
    interval: Annotated[float, typer.Option(help="Seconds between looks.")] = 2.0,
) -> None:
    """Follow a training's status and latest metrics until it ends (exit code 1 unless it
    succeeded). Ctrl-C stops watching; the training keeps running."""
    sg = r.in_space(space)
    seen: tuple[str, int] | None = None
    try:
        while True:
            got = sg.trainings.get(training_id)
            now = (got.status, len(got.metrics))
            if now != seen:
                seen = now
                _report(r, got)
            if got.status in TERMINAL:
                break
            pause(interval)
    except KeyboardInterrupt:
        r.err.print(
            f"stopped watching; training {training_id} keeps running "
            f"(`spacegate trainings cancel {training_id}` stops it)",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(130) from None
    if got.status != "succeeded":
        if got.error:
            r.err.print(f"error: {got.error}", markup=False, highlight=False)
        raise typer.Exit(1)


def _report(r: Remote, got: Any) -> None:
    if r.as_json:
        r.json_line({"id": str(got.id), "status": got.status, "metrics": got.metrics[-1:]})
        return
    stamp = time.strftime("%H:%M:%S")
    metrics = latest(got.metrics)
    line = f"{stamp} {got.status}" + (f"  {metrics}" if metrics else "")
    r.out.print(line, markup=False, highlight=False)


@remote(trainings, "cancel")
def cancel(r: Remote, training_id: IdArg, space: SpaceOpt) -> None:
    """Cancel a training (its checkpoints so far stay)."""
    r.in_space(space).trainings.delete(training_id)
    r.done(f"training {training_id} cancelled", {"id": training_id})
