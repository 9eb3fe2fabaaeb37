"""``spacegate checkpoints``, ``leaderboard``, ``connectors`` and ``clusters``: what a space's
model factory (seed 004) produced, where its data lives and what it runs on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from spacegate.cli.remote import Remote, columns, remote

checkpoints = typer.Typer(help="Checkpoints the space's trainings saved.", no_args_is_help=True)
connectors = typer.Typer(help="A space's buckets (S3) and their files.", no_args_is_help=True)
clusters = typer.Typer(help="The space's compute cluster.", no_args_is_help=True)

SpaceOpt = Annotated[str, typer.Option("--space", help="Space id or name.")]
IdArg = Annotated[str, typer.Argument(help="Its id.")]


def _metrics(values: dict[str, Any]) -> str:
    return ", ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
        for k, v in values.items()
        if not isinstance(v, dict | list)
    )


@remote(checkpoints, "list")
def list_checkpoints(
    r: Remote,
    space: SpaceOpt,
    training: Annotated[str | None, typer.Option(help="Only this training's.")] = None,
) -> None:
    """The space's checkpoints, oldest first."""
    rows = list(r.in_space(space).checkpoints.list(training_id=training, page_size=100))
    r.table(
        rows,
        columns(
            "id",
            "name",
            "training_id",
            "step",
            "architecture",
            ("metrics", lambda c: _metrics(c.metrics)),
            "size_bytes",
        ),
    )


@remote(checkpoints, "download")
def download(
    r: Remote,
    checkpoint_id: IdArg,
    space: SpaceOpt,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where to write it (default: <id>.joblib here)."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing file.")] = False,
) -> None:
    """Save a checkpoint's model file (joblib)."""
    target = output or Path(f"{checkpoint_id}.joblib")
    if target.exists() and not force:
        r.err.print(f"error: {target} exists (--force replaces it)", markup=False)
        raise typer.Exit(1)
    data = r.in_space(space).checkpoints.download(checkpoint_id)
    target.write_bytes(data)
    r.done(f"{target} ({len(data)} bytes)", {"path": str(target), "size_bytes": len(data)})


def leaderboard(
    r: Remote,
    space: SpaceOpt,
    metric: Annotated[str, typer.Option(help="Metric to rank by (roc_auc, log_loss ...).")],
    benchmark: Annotated[
        str | None, typer.Option(help="Benchmark id to rank on (default: mean over all).")
    ] = None,
    direction: Annotated[
        str | None, typer.Option(help="desc (default) or asc, for metrics where lower is better.")
    ] = None,
    training: Annotated[
        list[str] | None, typer.Option("--training", help="Only this training's (repeat).")
    ] = None,
    limit: Annotated[int, typer.Option(help="Checkpoints to show.")] = 10,
) -> None:
    """The space's checkpoints ranked by a metric."""
    pager = r.in_space(space).leaderboards.list(
        page_size=min(limit, 100),
        metric_name=metric,
        benchmark_id=benchmark,
        direction=direction,
        trainings=training,
    )
    rows = []
    for entry in pager:
        rows.append(entry)
        if len(rows) >= limit:
            break
    r.table(
        rows,
        columns(
            "rank",
            ("checkpoint", "checkpoint_id"),
            "name",
            ("training", "training_name"),
            "architecture",
            "step",
            (metric, lambda e: f"{e.score:.4f}" if e.score is not None else None),
        ),
    )


@remote(connectors, "list")
def list_connectors(r: Remote, space: SpaceOpt) -> None:
    """The space's connectors."""
    rows = list(r.in_space(space).connectors.list(page_size=100))
    r.table(
        rows,
        columns(
            "id",
            "name",
            "provider",
            "bucket",
            "prefix",
            "status",
            ("scan", lambda c: c.scan.get("status")),
        ),
    )


@remote(connectors, "files")
def files(
    r: Remote,
    connector_id: IdArg,
    space: SpaceOpt,
    prefix: Annotated[str | None, typer.Option(help="Only keys starting so.")] = None,
    limit: Annotated[int | None, typer.Option(help="Most files to list.")] = None,
) -> None:
    """The files in a connector's bucket (the keys trainings and scans take)."""
    rows = r.in_space(space).connectors.files(connector_id, prefix=prefix, limit=limit)
    r.table(rows, columns("key", "size", "last_modified"), whole=("key",))


@remote(connectors, "scan")
def scan(
    r: Remote,
    connector_id: IdArg,
    keys: Annotated[list[str], typer.Argument(help="File keys to read the schema of.")],
    space: SpaceOpt,
) -> None:
    """Read the columns and types of files in the bucket (a background job)."""
    started = r.in_space(space).connectors.scan(connector_id, keys)
    r.done(f"scan {started.id} {started.status}: {', '.join(started.files)}", started)


@remote(clusters, "show")
def show_cluster(r: Remote, space: SpaceOpt) -> None:
    """The space's cluster, live: nodes, resources and what it serves."""
    live = r.in_space(space).clusters.get()
    if r.as_json:
        r.json_line(live.model_dump(mode="json"))
        return
    r.show(live, ["id", "name", "ray_version", "resources", "ingress", "inference"])
    r.table(
        live.nodes,
        columns(
            ("node", lambda n: n.get("node_id")),
            ("ip", lambda n: n.get("node_ip")),
            ("head", lambda n: n.get("is_head_node")),
            ("alive", lambda n: n.get("alive")),
            ("cpu", lambda n: n.get("cpu")),
            ("gpu", lambda n: n.get("gpu")),
            ("memory", lambda n: n.get("memory_bytes")),
        ),
        whole=("node",),
    )
