"""``spacegate datasets``: a space's RAG datasets (seed 003), named by their names: list, show,
create, upload files, search, and follow their ingestion."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from spacegate.cli.remote import Failure, Remote, columns, remote

datasets = typer.Typer(help="A space's RAG datasets and their documents.", no_args_is_help=True)

SpaceOpt = Annotated[str, typer.Option("--space", help="Space id or name.")]
Name = Annotated[str, typer.Argument(help="Dataset name.")]
_SHOWN = ("id", "name", "dtype", "summary", "tags", "configuration", "created_at", "updated_at")


def _dump(item: Any) -> Any:
    return item.model_dump(mode="json")


def _ingestion(d: Any) -> str:
    docs = d.ingestion.documents
    return f"{d.ingestion.status} ({docs.ready}/{docs.total} ready)"


def _progress(s: Any) -> str:
    d = s.documents
    counts = f"{d.ready} ready, {d.queued} queued, {d.running} running, {d.failed} failed"
    return f"{s.name}: {s.status}; {d.total} documents ({counts}); {s.chunks} chunks"


@remote(datasets, "list")
def list_datasets(r: Remote, space: SpaceOpt) -> None:
    """The space's datasets and how far their ingestion is."""
    rows = list(r.in_space(space).datasets.list())
    r.table(
        rows,
        columns("name", "dtype", ("ingestion", _ingestion), ("chunks", "ingestion.chunks"), "tags"),
        whole=("name",),
    )


@remote(datasets, "show")
def show(r: Remote, name: Name, space: SpaceOpt) -> None:
    """A dataset, its ingestion and its documents."""
    sg = r.in_space(space)
    found = sg.datasets.get(name)
    docs = list(sg.datasets.documents(name))
    if r.as_json:
        r.json_line({**found.model_dump(mode="json"), "documents": [_dump(d) for d in docs]})
        return
    r.show(found, _SHOWN)
    r.out.print(_progress(sg.datasets.status(found)), markup=False, highlight=False)
    r.table(docs, columns("id", "filename", "kind", "size_bytes", "status", "chunk_count", "error"))


@remote(datasets, "create")
def create(
    r: Remote,
    name: Name,
    space: SpaceOpt,
    dtype: Annotated[str, typer.Option(help="Dataset type (see the server's types).")] = (
        "local_file"
    ),
    embedding_model: Annotated[
        str | None, typer.Option(help="Alias of an embedding model entitled in the space.")
    ] = None,
    chunk_size: Annotated[int | None, typer.Option(help="Tokens per chunk.")] = None,
    chunk_overlap: Annotated[int | None, typer.Option(help="Tokens shared by chunks.")] = None,
    folder: Annotated[str | None, typer.Option(help="A server folder to read files from.")] = None,
    summary: Annotated[str | None, typer.Option(help="What the dataset holds.")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="A label (repeat).")] = None,
    config: Annotated[
        str | None, typer.Option(help="The whole configuration as JSON (with the options above).")
    ] = None,
) -> None:
    """Create a dataset."""
    try:
        configuration: dict[str, Any] = json.loads(config) if config else {}
    except ValueError as exc:
        raise Failure(f"--config is not JSON: {exc}") from None
    given = {
        "embedding_model": embedding_model,
        "chunk_size": chunk_size,
        "chunk_overlap": chunk_overlap,
        "folder": folder,
    }
    configuration.update({k: v for k, v in given.items() if v is not None})
    made = r.in_space(space).datasets.create(
        name=name, dtype=dtype, configuration=configuration, summary=summary, tags=tag or []
    )
    r.show(made, _SHOWN)


@remote(datasets, "upload")
def upload(
    r: Remote,
    name: Name,
    files: Annotated[list[Path], typer.Argument(help="Files to add.", exists=True, dir_okay=False)],
    space: SpaceOpt,
    wait: Annotated[bool, typer.Option(help="Wait until they are indexed.")] = False,
) -> None:
    """Upload files into a dataset (each queued for ingestion; same name: replaced)."""
    sg = r.in_space(space)
    docs = [sg.datasets.upload(name, f) for f in files]
    settled = sg.datasets.wait_for_ingestion(name) if wait else None
    if r.as_json:
        out: dict[str, Any] = {"documents": [_dump(d) for d in docs]}
        r.json_line(out | ({"status": _dump(settled)} if settled else {}))
        return
    r.table(docs, columns("id", "filename", "size_bytes", "status"), whole=("filename",))
    if settled is not None:
        r.out.print(_progress(settled), markup=False, highlight=False)


@remote(datasets, "search")
def search(
    r: Remote,
    name: Name,
    query: Annotated[str, typer.Argument(help="What to look for.")],
    space: SpaceOpt,
    limit: Annotated[int, typer.Option(help="Chunks to return (1-100).")] = 5,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Lowest similarity score (0-1).")
    ] = 0.0,
) -> None:
    """The chunks of a dataset that best match a query, best first."""
    found = r.in_space(space).datasets.search(
        name, query, limit=limit, similarity_threshold=threshold
    )
    if r.as_json:
        r.json_line(_dump(found))
        return
    r.table(
        found.documents,
        columns(
            ("score", lambda h: f"{h.similarity_score:.3f}"),
            ("file", lambda h: h.metadata.get("filename")),
            "content",
            "document_id",
        ),
    )


@remote(datasets, "status")
def status(
    r: Remote,
    name: Name,
    space: SpaceOpt,
    wait: Annotated[bool, typer.Option(help="Wait until nothing is queued or running.")] = False,
    jobs: Annotated[bool, typer.Option(help="List the ingestion jobs too.")] = False,
) -> None:
    """A dataset's ingestion: documents per state and chunks (and its jobs)."""
    sg = r.in_space(space)
    got = sg.datasets.wait_for_ingestion(name) if wait else sg.datasets.status(name)
    listed = list(sg.datasets.jobs(got.dataset_id)) if jobs else []
    if r.as_json:
        r.json_line(_dump(got) | ({"jobs": [_dump(j) for j in listed]} if jobs else {}))
        return
    r.out.print(_progress(got), markup=False, highlight=False)
    if jobs:
        r.table(listed, columns("id", "filename", "status", "attempts", "error", "finished_at"))
