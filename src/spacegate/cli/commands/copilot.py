"""``spacegate actions``, ``personas``, ``arguments`` and ``insight``: the copilot's commercial
work in a space (what advisors and reviewers do daily)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from spacegate.cli.remote import Remote, columns, remote

actions = typer.Typer(help="A space's commercial actions.", no_args_is_help=True)
personas = typer.Typer(help="A space's customer personas.", no_args_is_help=True)
arguments = typer.Typer(help="Generated sales arguments and their review.", no_args_is_help=True)

SpaceOpt = Annotated[str, typer.Option("--space", help="Space id or name.")]
IdArg = Annotated[str, typer.Argument(help="Its id.")]


@remote(actions, "list")
def list_actions(r: Remote, space: SpaceOpt) -> None:
    """The space's actions, oldest first."""
    rows = list(r.in_space(space).actions.list(page_size=100))
    r.table(rows, columns("id", "name", "type", "priority", "status", "channel", "model_id"))


@remote(actions, "create")
def create_action(
    r: Remote,
    space: SpaceOpt,
    name: Annotated[str, typer.Option(help="Its name.")],
    type: Annotated[str, typer.Option("--type", help="upsell, retention ...")],
    priority: Annotated[str, typer.Option(help="very_low, low, medium, high, very_high.")],
    description: Annotated[str, typer.Option(help="What it offers.")] = "",
    status: Annotated[str, typer.Option(help="draft, active, inactive, archived.")] = "draft",
    channel: Annotated[str | None, typer.Option(help="Channel(s), comma-separated.")] = None,
    model: Annotated[str | None, typer.Option(help="Model alias for its insights.")] = None,
    group: Annotated[str | None, typer.Option(help="Action group id.")] = None,
    start: Annotated[str | None, typer.Option(help="Start date-time (ISO 8601).")] = None,
    end: Annotated[str | None, typer.Option(help="End date-time, after the start.")] = None,
) -> None:
    """Create an action."""
    fields: dict[str, Any] = {
        "name": name,
        "description": description,
        "type": type,
        "priority": priority,
        "status": status,
        "channel": channel,
        "model_id": model,
        "group": group,
        "start_date": start,
        "end_date": end,
    }
    made = r.in_space(space).actions.create(**{k: v for k, v in fields.items() if v is not None})
    r.show(made)


@remote(actions, "delete")
def delete_action(r: Remote, action_id: IdArg, space: SpaceOpt) -> None:
    """Delete an action."""
    r.in_space(space).actions.delete(action_id)
    r.done(f"action {action_id} deleted", {"id": action_id})


@remote(personas, "list")
def list_personas(r: Remote, space: SpaceOpt) -> None:
    """The space's personas, oldest first."""
    rows = list(r.in_space(space).personas.list(page_size=100))
    r.table(rows, columns("id", "name", "birthdate", "notes"))


@remote(personas, "import")
def import_personas(
    r: Remote,
    files: Annotated[list[Path], typer.Argument(help="CSV, XLSX or JSON files.", exists=True)],
    space: SpaceOpt,
    resolution: Annotated[
        str | None,
        typer.Option(
            help="For rows matching a persona: overwrite, create or skip. Without it the "
            "conflicts are shown and nothing is imported."
        ),
    ] = None,
) -> None:
    """Read persona files, show the rows matching existing personas, and import them with
    ``--resolution``."""
    sg = r.in_space(space)
    upload = sg.personas.upload(*files)
    if resolution is None:
        if r.as_json:
            r.json_line(upload.model_dump(mode="json"))
            return
        r.err.print(upload.message, markup=False)
        r.table(upload.conflicts, columns("file", "row", "name", "birthdate", "persona_id"))
        r.err.print("Nothing imported: run again with --resolution overwrite|create|skip.")
        return
    done = sg.personas.confirm(upload.upload_token, resolution)
    r.done(done.message, done)


@remote(arguments, "list")
def list_arguments(
    r: Remote,
    space: SpaceOpt,
    status: Annotated[str | None, typer.Option(help="Review status.")] = None,
    action: Annotated[str | None, typer.Option(help="Action id.")] = None,
    page: Annotated[int, typer.Option(help="Page number.")] = 1,
) -> None:
    """The review queue: the space's arguments (not deleted)."""
    rows = r.in_space(space).arguments.list(status=status, action_id=action, page=page)
    r.table(
        rows,
        columns(
            "id", ("status", lambda a: a.review.get("status")), "action_id", "argument", "error"
        ),
    )


@remote(arguments, "review")
def review_argument(
    r: Remote,
    argument_id: IdArg,
    status: Annotated[str, typer.Argument(help="waiting_review, reviewing, success, failed.")],
    space: SpaceOpt,
    comments: Annotated[str | None, typer.Option(help="The reviewer's comments.")] = None,
    reviewer: Annotated[str | None, typer.Option(help="Who reviews it.")] = None,
) -> None:
    """Move an argument's review along its workflow."""
    moved = r.in_space(space).arguments.review(
        argument_id, status, reviewer=reviewer, comments=comments
    )
    r.done(f"argument {argument_id}: {moved.review['status']}", moved)


def insight(
    r: Remote,
    space: SpaceOpt,
    client: Annotated[str, typer.Option(help="A persona id, or the client described.")],
    action: Annotated[
        list[str] | None, typer.Option("--action", help="Action id (repeat); default: all active.")
    ] = None,
    model: Annotated[str | None, typer.Option(help="Model alias.")] = None,
) -> None:
    """Ask which action to take for a client, on which channel and when."""
    got = r.in_space(space).insights.create(actions=action or [], client=client, model=model)
    r.show(got, ["actions", "best_channel", "best_time", "timeliness", "insight", "argument"])
