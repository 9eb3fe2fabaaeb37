"""``spacegate spaces | keys | providers | models``: the platform's resources."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from spacegate.cli.remote import Remote, columns, model_id, remote, space_id

spaces = typer.Typer(help="Spaces: create, list, update, delete and restore.", no_args_is_help=True)
keys = typer.Typer(help="API keys: create, list, revoke, limits.", no_args_is_help=True)
providers = typer.Typer(help="Provider connections.", no_args_is_help=True)
models = typer.Typer(help="The org's model registry.", no_args_is_help=True)

Space = Annotated[str, typer.Argument(help="Space id or name.")]
Model = Annotated[str, typer.Argument(help="Model alias or tenant_model_id.")]
Limit = Annotated[int | None, typer.Option("--limit", min=1, help="Show at most this many.")]

SPACE_COLUMNS = columns("id", "name", "description", ("created", "created_at"))


def _take(items: Any, limit: int | None) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if limit is not None and len(out) >= limit:
            break
        out.append(item)
    return out


# -- spaces ---------------------------------------------------------------------------------


@remote(spaces, "list")
def spaces_list(r: Remote, limit: Limit = None) -> None:
    """Every space you can see."""
    r.table(_take(r.client.spaces.list(), limit), SPACE_COLUMNS)


@remote(spaces, "get")
def spaces_get(r: Remote, space: Space) -> None:
    """One space."""
    r.show(r.client.spaces.get(space_id(r, space)))


@remote(spaces, "create")
def spaces_create(
    r: Remote,
    name: Annotated[str, typer.Argument(help="Name of the space.")],
    description: Annotated[str, typer.Option(help="What the space is for.")] = "",
) -> None:
    """Create a space."""
    r.show(r.client.spaces.create(name=name, description=description))


@remote(spaces, "update")
def spaces_update(
    r: Remote,
    space: Space,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    description: Annotated[str | None, typer.Option(help="New description.")] = None,
) -> None:
    """Rename a space or change its description."""
    r.show(r.client.spaces.update(space_id(r, space), name=name, description=description))


@remote(spaces, "delete")
def spaces_delete(r: Remote, space: Space) -> None:
    """Delete a space (it can be restored)."""
    gone = r.client.spaces.delete(space_id(r, space))
    r.done(f"Deleted space {gone.id}; `spacegate spaces restore {gone.id}` brings it back.", gone)


@remote(spaces, "restore")
def spaces_restore(r: Remote, space: Annotated[str, typer.Argument(help="Space id.")]) -> None:
    """Restore a deleted space."""
    back = r.client.spaces.restore(space)
    r.done(f"Restored space {back.id}.", back)


@remote(spaces, "members")
def spaces_members(r: Remote, space: Space) -> None:
    """The members of a space and their permissions."""
    rows = r.client.spaces.members(space_id(r, space))
    r.table(rows, columns(("user", "user_id"), "permissions"))


# -- API keys -------------------------------------------------------------------------------

KEY_COLUMNS = columns(
    "id",
    "name",
    ("key", "prefix"),
    ("space", "space_id"),
    ("last used", "last_used_at"),
    ("revoked", "revoked_at"),
)


@remote(keys, "list")
def keys_list(r: Remote, limit: Limit = None) -> None:
    """API keys of the org (their secrets are never shown again)."""
    r.table(_take(r.client.api_keys.list(), limit), KEY_COLUMNS)


@remote(keys, "create")
def keys_create(
    r: Remote,
    name: Annotated[str, typer.Option(help="A name to recognise the key by.")] = "api key",
    space: Annotated[str | None, typer.Option(help="Bind the key to this space.")] = None,
    permission: Annotated[
        list[str] | None, typer.Option(help="Restrict the key (repeat for several).")
    ] = None,
    expires_at: Annotated[
        datetime | None, typer.Option(help="When the key stops working (UTC).")
    ] = None,
) -> None:
    """Create an API key; its secret is printed once."""
    made = r.client.api_keys.create(
        name=name,
        space_id=space_id(r, space) if space else None,
        permissions=permission or None,
        expires_at=expires_at,
    )
    r.show(made, ["id", "name", "key", "space_id", "permissions", "expires_at"])
    if not r.as_json:
        r.err.print("[yellow]Store the key now: it is not shown again.[/]")


@remote(keys, "revoke")
def keys_revoke(r: Remote, key: Annotated[str, typer.Argument(help="API key id.")]) -> None:
    """Revoke an API key; it stops working at once."""
    done = r.client.api_keys.revoke(key)
    r.done(f"Revoked key {done.id} ({done.name}).", done)


@remote(keys, "limits")
def keys_limits(
    r: Remote,
    key: Annotated[str, typer.Argument(help="API key id.")],
    rpm: Annotated[int | None, typer.Option(min=1, help="Requests per minute.")] = None,
    tpm: Annotated[int | None, typer.Option(min=1, help="Tokens per minute.")] = None,
    max_concurrency: Annotated[int | None, typer.Option(min=1, help="Calls in flight.")] = None,
    clear: Annotated[bool, typer.Option(help="Remove every limit of the key.")] = False,
) -> None:
    """Show a key's own limits, or set them (the ones not given are removed)."""
    if clear or any(v is not None for v in (rpm, tpm, max_concurrency)):
        r.show(r.client.api_keys.set_limits(key, rpm=rpm, tpm=tpm, max_concurrency=max_concurrency))
    else:
        r.show(r.client.api_keys.limits(key))


# -- providers ------------------------------------------------------------------------------

PROVIDER_COLUMNS = columns(
    "id", "name", "type", ("base url", "base_url"), ("key", "api_key_hint"), "enabled"
)
Credential = Annotated[
    str | None,
    typer.Option(
        "--credential",
        envvar="SPACEGATE_PROVIDER_API_KEY",
        help="The provider's API key (stored encrypted, never shown again).",
        show_default=False,
    ),
]


@remote(providers, "list")
def providers_list(r: Remote, limit: Limit = None) -> None:
    """Provider connections."""
    r.table(_take(r.client.providers.list(), limit), PROVIDER_COLUMNS)


@remote(providers, "get")
def providers_get(r: Remote, provider: Annotated[str, typer.Argument(help="Provider id.")]) -> None:
    """One provider connection."""
    r.show(r.client.providers.get(provider))


@remote(providers, "create")
def providers_create(
    r: Remote,
    name: Annotated[str, typer.Option(help="Name of the connection.")],
    type: Annotated[str, typer.Option(help="openai, anthropic or azure_openai.")],
    base_url: Annotated[str, typer.Option(help="e.g. https://api.openai.com/v1")],
    credential: Credential = None,
) -> None:
    """Connect a provider."""
    fields: dict[str, Any] = {"name": name, "type": type, "base_url": base_url}
    if credential:
        fields["api_key"] = credential
    r.show(r.client.providers.create(**fields))


@remote(providers, "update")
def providers_update(
    r: Remote,
    provider: Annotated[str, typer.Argument(help="Provider id.")],
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    base_url: Annotated[str | None, typer.Option(help="New base URL.")] = None,
    credential: Credential = None,
    enabled: Annotated[bool | None, typer.Option("--enable/--disable", show_default=False)] = None,
) -> None:
    """Change a provider connection."""
    given = {"name": name, "base_url": base_url, "api_key": credential, "enabled": enabled}
    r.show(r.client.providers.update(provider, **{k: v for k, v in given.items() if v is not None}))


@remote(providers, "delete")
def providers_delete(
    r: Remote, provider: Annotated[str, typer.Argument(help="Provider id.")]
) -> None:
    """Delete a provider connection no model uses any more."""
    r.client.providers.delete(provider)
    r.done(f"Deleted provider {provider}.", {"id": provider})


# -- models ---------------------------------------------------------------------------------

MODEL_COLUMNS = columns(
    ("id", "tenant_model_id"),
    "alias",
    ("upstream", "upstream_model"),
    ("context", "context_window"),
    "capabilities",
    "enabled",
)


@remote(models, "list")
def models_list(r: Remote, limit: Limit = None) -> None:
    """The org's models."""
    r.table(_take(r.client.models.list(), limit), MODEL_COLUMNS)


@remote(models, "get")
def models_get(r: Remote, model: Model) -> None:
    """One model."""
    r.show(r.client.models.get(model_id(r, model)))


@remote(models, "create")
def models_create(
    r: Remote,
    alias: Annotated[str, typer.Argument(help="The name callers will use.")],
    provider: Annotated[str, typer.Option(help="Provider connection id.")],
    upstream_model: Annotated[str, typer.Option(help="The provider's name for the model.")],
    context_window: Annotated[int | None, typer.Option(min=1)] = None,
    capability: Annotated[list[str] | None, typer.Option(help="Repeat for several.")] = None,
    display_name: Annotated[str | None, typer.Option()] = None,
    input_price: Annotated[float | None, typer.Option(help="Per million input tokens.")] = None,
    output_price: Annotated[float | None, typer.Option(help="Per million output tokens.")] = None,
) -> None:
    """Register a model served by one provider connection."""
    given: dict[str, Any] = {
        "alias": alias,
        "provider_id": provider,
        "upstream_model": upstream_model,
        "context_window": context_window,
        "capabilities": capability or None,
        "display_name": display_name,
        "input_price_per_mtok": input_price,
        "output_price_per_mtok": output_price,
    }
    r.show(r.client.models.create(**{k: v for k, v in given.items() if v is not None}))


@remote(models, "update")
def models_update(
    r: Remote,
    model: Model,
    alias: Annotated[str | None, typer.Option(help="New alias.")] = None,
    context_window: Annotated[int | None, typer.Option(min=1)] = None,
    display_name: Annotated[str | None, typer.Option()] = None,
    enabled: Annotated[bool | None, typer.Option("--enable/--disable", show_default=False)] = None,
) -> None:
    """Change a model."""
    given: dict[str, Any] = {
        "alias": alias,
        "context_window": context_window,
        "display_name": display_name,
        "enabled": enabled,
    }
    fields = {k: v for k, v in given.items() if v is not None}
    r.show(r.client.models.update(model_id(r, model), **fields))


@remote(models, "delete")
def models_delete(
    r: Remote,
    model: Model,
    force: Annotated[bool, typer.Option(help="Also revoke it from every space.")] = False,
) -> None:
    """Delete a model (refused while a space has it, unless --force)."""
    ident = model_id(r, model)
    r.client.models.delete(ident, force=force)
    r.done(f"Deleted model {model}.", {"tenant_model_id": ident})
