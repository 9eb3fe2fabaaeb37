"""``spacegate entitlements``: which models each space may use, one by one or in bulk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer

from spacegate.cli.commands.apply import apply_file
from spacegate.cli.remote import Failure, Remote, columns, model_alias, remote, space_id

entitlements = typer.Typer(
    help="Grant, revoke, enable, disable, set the default and limits; in bulk too.",
    no_args_is_help=True,
)

Space = Annotated[str, typer.Argument(help="Space id or name.")]
Model = Annotated[str, typer.Argument(help="Model alias (or tenant_model_id).")]
Rpm = Annotated[int | None, typer.Option(min=1, help="Requests per minute.")]
Tpm = Annotated[int | None, typer.Option(min=1, help="Tokens per minute.")]
MaxTokens = Annotated[int | None, typer.Option(min=1, help="Max tokens of one request.")]
TokenBudget = Annotated[
    str | None, typer.Option(help="Tokens per period, e.g. 1000000/month (day, week, month).")
]
CostBudget = Annotated[str | None, typer.Option(help="Spend per period, e.g. 25.50/month.")]

COLUMNS = columns(
    ("model", "logical_model_id"),
    "enabled",
    ("limits", lambda e: e.workspace_limits.model_dump(mode="json")),
    ("endpoints", lambda e: e.allowed_endpoints or "any"),
    ("requests", "request_count"),
    ("tokens", "total_tokens"),
    ("last used", "last_used_at"),
)


def _budget(value: str | None, name: str, cast: Callable[[str], object]) -> dict[str, Any] | None:
    if value is None:
        return None
    amount, _, period = value.partition("/")
    try:
        return {"limit": cast(amount.strip()), "period": period.strip() or "month"}
    except (ValueError, InvalidOperation):
        raise Failure(f"--{name} must look like 1000/month, not {value!r}") from None


def _limits(
    rpm: int | None,
    tpm: int | None,
    max_tokens: int | None,
    token_budget: str | None,
    cost_budget: str | None,
) -> dict[str, Any]:
    given = {
        "rpm": rpm,
        "tpm": tpm,
        "max_tokens_per_request": max_tokens,
        "token_budget": _budget(token_budget, "token-budget", int),
        "cost_budget": _budget(cost_budget, "cost-budget", lambda v: str(Decimal(v))),
    }
    return {k: v for k, v in given.items() if v is not None}


@contextmanager
def progress(r: Remote, total: int, what: str) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr for people; nothing for scripts (--json)."""
    from rich.progress import Progress

    with Progress(console=r.err, transient=True, disable=r.as_json) as bar:
        task = bar.add_task(what, total=total)
        yield lambda: bar.advance(task)


@remote(entitlements, "list")
def list_(
    r: Remote,
    space: Space,
    enabled_only: Annotated[bool, typer.Option(help="Only the enabled ones.")] = False,
) -> None:
    """The models a space may use, with their limits and usage."""
    rows = r.client.entitlements.list(space_id(r, space), enabled_only=enabled_only)
    r.table(rows, COLUMNS)


@remote(entitlements, "grant")
def grant(
    r: Remote,
    space: Space,
    model: Model,
    disabled: Annotated[bool, typer.Option(help="Grant it switched off.")] = False,
    rpm: Rpm = None,
    tpm: Tpm = None,
    max_tokens_per_request: MaxTokens = None,
    token_budget: TokenBudget = None,
    cost_budget: CostBudget = None,
) -> None:
    """Let a space use a model."""
    limits = _limits(rpm, tpm, max_tokens_per_request, token_budget, cost_budget)
    made = r.client.entitlements.grant(
        space_id(r, space),
        model_alias(r, model),
        enabled=False if disabled else None,
        limits=limits or None,
    )
    r.show(made)


@remote(entitlements, "revoke")
def revoke(r: Remote, space: Space, model: Model) -> None:
    """Take a model away from a space."""
    alias = model_alias(r, model)
    r.client.entitlements.revoke(space_id(r, space), alias)
    r.done(f"Revoked {alias} from {space}.", {"space": space, "model": alias})


@remote(entitlements, "enable")
def enable(r: Remote, space: Space, model: Model) -> None:
    """Switch a space's model back on."""
    r.show(r.client.entitlements.enable(space_id(r, space), model_alias(r, model)))


@remote(entitlements, "disable")
def disable(r: Remote, space: Space, model: Model) -> None:
    """Switch a space's model off without revoking it."""
    r.show(r.client.entitlements.disable(space_id(r, space), model_alias(r, model)))


@remote(entitlements, "default")
def default(
    r: Remote,
    space: Space,
    model: Annotated[
        str | None, typer.Argument(help="Model alias; leave out with --clear.")
    ] = None,
    clear: Annotated[bool, typer.Option(help="Leave the space without a default.")] = False,
) -> None:
    """Set (or clear) the model a space uses when a request names none."""
    if (model is None) == (not clear):
        raise Failure("give a model, or --clear")
    alias = model_alias(r, model) if model is not None else None
    r.show(r.client.entitlements.set_default(space_id(r, space), alias))


@remote(entitlements, "limits")
def limits(
    r: Remote,
    space: Space,
    model: Model,
    rpm: Rpm = None,
    tpm: Tpm = None,
    max_tokens_per_request: MaxTokens = None,
    token_budget: TokenBudget = None,
    cost_budget: CostBudget = None,
    clear: Annotated[bool, typer.Option(help="Remove every limit.")] = False,
) -> None:
    """Replace a space's limits on a model (limits not given are removed)."""
    given = _limits(rpm, tpm, max_tokens_per_request, token_budget, cost_budget)
    if not given and not clear:
        raise Failure("give at least one limit, or --clear to remove them all")
    made = r.client.entitlements.set_limits(space_id(r, space), model_alias(r, model), given)
    r.show(made)


@remote(entitlements, "grant-all")
def grant_all(
    r: Remote,
    model: Model,
    disabled: Annotated[bool, typer.Option(help="Grant it switched off.")] = False,
    rpm: Rpm = None,
    tpm: Tpm = None,
    max_tokens_per_request: MaxTokens = None,
    token_budget: TokenBudget = None,
    cost_budget: CostBudget = None,
) -> None:
    """Grant one model to every space (spaces that have it already are left as they are)."""
    from spacegate.client import ConflictError

    alias = model_alias(r, model)
    limits = _limits(rpm, tpm, max_tokens_per_request, token_budget, cost_budget) or None
    targets = list(r.client.spaces.list(page_size=100))
    results = []
    with progress(r, len(targets), f"granting {alias}") as step:
        for space in targets:
            try:
                r.client.entitlements.grant(
                    space.id, alias, enabled=False if disabled else None, limits=limits
                )
                action = "granted"
            except ConflictError:
                action = "unchanged"
            results.append({"space": space.name, "space_id": str(space.id), "action": action})
            step()
    r.table(
        results,
        [
            ("space", lambda x: x["space"]),
            ("id", lambda x: x["space_id"]),
            ("", lambda x: x["action"]),
        ],
    )
    granted = sum(x["action"] == "granted" for x in results)
    if not r.as_json:
        r.out.print(f"{alias}: granted to {granted} spaces, {len(results) - granted} had it.")


@remote(entitlements, "apply")
def apply(
    r: Remote,
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A YAML file.")
    ],
    dry_run: Annotated[bool, typer.Option(help="Show what would change; change nothing.")] = False,
) -> None:
    """Make entitlements match a YAML file. Running it again changes nothing.

    \b
    entitlements:
      - space: research          # space name or id
        model: gpt-4o-mini       # model alias
        enabled: true
        default: true            # the space's default model
        limits: {rpm: 60, token_budget: {limit: 1000000, period: month}}
        allowed_endpoints: [chat.completions]
    """
    apply_file(r, file, dry_run=dry_run, progress=progress)
