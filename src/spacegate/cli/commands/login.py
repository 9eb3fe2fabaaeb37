"""``spacegate login`` / ``logout`` / ``profiles``: saved connections."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from spacegate.cli import profiles


def login(
    url: Annotated[str, typer.Option("--url", envvar="SPACEGATE_URL", help="Server URL.")],
    api_key: Annotated[
        str,
        typer.Option(
            "--api-key", envvar="SPACEGATE_API_KEY", prompt=True, hide_input=True, help="API key."
        ),
    ],
    profile: Annotated[str, typer.Option("--profile", help="Name to save it under.")] = (
        profiles.DEFAULT_PROFILE
    ),
) -> None:
    """Check a URL and API key against the server, then save them for later commands."""
    from spacegate.client import Spacegate, SpacegateError

    err = Console(stderr=True, soft_wrap=True)
    try:
        with Spacegate(url, api_key) as sg:
            me = sg.users.me()
    except SpacegateError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None
    path = profiles.save(profiles.Profile(profile, url.rstrip("/"), api_key))
    Console().print(
        f"Logged in to {url} as [bold]{me.email}[/] (org {me.org_id}); "
        f"profile '{profile}' saved in {path}"
    )


def logout(
    profile: Annotated[str, typer.Option("--profile", help="Profile to forget.")] = (
        profiles.DEFAULT_PROFILE
    ),
) -> None:
    """Forget a saved profile (the API key stays valid on the server)."""
    if not profiles.remove(profile):
        Console(stderr=True, soft_wrap=True).print(
            f"[red]error:[/] no saved profile named '{profile}'"
        )
        raise typer.Exit(1)
    Console().print(f"Profile '{profile}' forgotten.")


def list_profiles() -> None:
    """Saved profiles; the default one is starred."""
    default, names = profiles.names()
    for name in names:
        sys.stdout.write(f"{'*' if name == default else ' '} {name}\n")
