"""What ``serve`` and ``bootstrap`` print for a new user: the server's real address, and commands
printed on lines of their own, outside any box and never wrapped, so they survive copy and paste.

``serve`` records the address it listens on in ``DATA_DIR`` so that ``bootstrap``, run in
another terminal against the same data directory, can print a command for that address.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from spacegate.config import Settings

URL_FILE = "server_url"
DEFAULT_URL = "http://127.0.0.1:8000"
_ANY = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104 (what to call, not bind)


def url_of(host: str, port: int) -> str:
    """The address a client on this machine calls for a server bound to ``host``:``port``."""
    host = _ANY.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def record_url(settings: Settings, url: str) -> None:
    """Remember where ``serve`` listens (best effort: a read-only data directory just loses it)."""
    with contextlib.suppress(OSError):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        (settings.data_dir / URL_FILE).write_text(url + "\n")


def recorded_url(settings: Settings) -> str:
    """The address ``serve`` last recorded in this data directory, else the default one."""
    path: Path = settings.data_dir / URL_FILE
    with contextlib.suppress(OSError):
        url = path.read_text().strip()
        if url.startswith(("http://", "https://")):
            return url
    return DEFAULT_URL


def _commands(console: Console, *lines: str) -> None:
    for line in lines:
        console.print(line, soft_wrap=True, markup=False, highlight=False)


def first_start(console: Console, url: str) -> None:
    """``serve`` on a database without an org: how to make one."""
    console.rule("[bold]Welcome to Spacegate[/]")
    console.print("Starting on:")
    _commands(console, f"  {url}", f"  API docs: {url}/docs", f"  Console:  {url}/console")
    console.print("No org exists yet. In a second terminal, create one with its owner and key:")
    console.print()
    _commands(console, '  spacegate bootstrap --org "Acme" --email you@example.com')
    console.print()
    console.print("(in a source checkout: make bootstrap ORG=Acme EMAIL=you@example.com)")
    console.rule()


def bootstrapped(console: Console, made: dict[str, str], url: str) -> None:
    """``bootstrap``: the new org, its key (shown once) and commands to try it."""
    console.rule(f"[bold]Org '{escape(made['org_name'])}' created[/]")
    console.print(f"org_id:  {made['org_id']}")
    console.print(f"user_id: {made['user_id']}")
    console.print()
    console.print(f"API key: [bold]{made['api_key']}[/]")
    console.print("This key is shown only once: store it now.")
    console.rule()
    console.print("Try it:")
    _commands(
        console,
        f"export SG_URL={url} SG_KEY={made['api_key']}",
        'curl -s -H "Authorization: Bearer $SG_KEY" $SG_URL/v1/users/me',
    )
    console.print(f"The console: {url}/console (sign in with the key).")


__all__ = ["DEFAULT_URL", "bootstrapped", "first_start", "record_url", "recorded_url", "url_of"]
