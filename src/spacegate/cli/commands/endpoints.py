"""``spacegate endpoints``: a space's RAG endpoints (seed 003): list, publish, ask."""

from __future__ import annotations

from typing import Annotated

import typer

from spacegate.cli.remote import Remote, columns, remote

endpoints = typer.Typer(help="A space's RAG endpoints.", no_args_is_help=True)

SpaceOpt = Annotated[str, typer.Option("--space", help="Space id or name.")]
Slug = Annotated[str, typer.Argument(help="Endpoint slug.")]


@remote(endpoints, "list")
def list_endpoints(r: Remote, space: SpaceOpt) -> None:
    """The space's endpoints."""
    rows = list(r.in_space(space).endpoints.list())
    if r.as_json:
        r.json_line([e.model_dump(mode="json") for e in rows])
        return
    r.table(rows, columns("slug", "name", "response_type", "published", "url"))


@remote(endpoints, "publish")
def publish(r: Remote, slug: Slug, space: SpaceOpt) -> None:
    """List the endpoint in the org's catalogue."""
    r.show(r.in_space(space).endpoints.publish(slug))


@remote(endpoints, "unpublish")
def unpublish(r: Remote, slug: Slug, space: SpaceOpt) -> None:
    """Take the endpoint out of the org's catalogue."""
    r.show(r.in_space(space).endpoints.unpublish(slug))


@remote(endpoints, "query")
def query(
    r: Remote,
    slug: Slug,
    message: Annotated[str, typer.Argument(help="The question.")],
    space: SpaceOpt,
    limit: Annotated[int, typer.Option(help="References to retrieve.")] = 5,
    max_tokens: Annotated[int, typer.Option(help="Longest answer, in tokens.")] = 256,
) -> None:
    """Ask an endpoint: the answer, then its references and the policies' outcomes."""
    answer = r.in_space(space).endpoints.query(slug, message, limit=limit, max_tokens=max_tokens)
    if r.as_json:
        r.json_line(answer)
        return
    summary = answer.get("summary") or {}
    if summary:
        r.out.print(summary["message"]["content"], markup=False, highlight=False)
    for doc in (answer.get("references") or {}).get("documents") or ():
        score = doc["similarity_score"]
        r.err.print(f"[{doc['document_id']}] {score:.3f}", markup=False, highlight=False)
    for entry in answer["policy_metadata"]["entries"]:
        line = f"policy {entry['policy_type']} ({entry['name']}): {entry['status']}"
        r.err.print(line, markup=False, highlight=False)
