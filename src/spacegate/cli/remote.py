"""What every command that talks to a Spacegate server shares.

``@remote(app)`` registers a command and gives it ``--url``, ``--api-key``, ``--profile`` and
``--json``. The connection comes from the flags, else ``SPACEGATE_URL`` / ``SPACEGATE_API_KEY``,
else the saved profile. Failures end the command with one line on stderr and exit code 1.
The HTTP client is imported only when a command runs, so ``spacegate --help`` stays fast.
"""

from __future__ import annotations

import functools
import inspect
import json
import operator
import re
import sys
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from spacegate.cli import profiles

if TYPE_CHECKING:
    from pydantic import BaseModel

    from spacegate.client import Spacegate

Url = Annotated[
    str | None,
    typer.Option("--url", envvar="SPACEGATE_URL", help="Server URL.", show_default=False),
]
ApiKey = Annotated[
    str | None,
    typer.Option("--api-key", envvar="SPACEGATE_API_KEY", help="API key.", show_default=False),
]
ProfileName = Annotated[
    str | None,
    typer.Option("--profile", envvar="SPACEGATE_PROFILE", help="Saved profile to use."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON (for scripts).")]

Column = tuple[str, Callable[[Any], object]]


def columns(*specs: str | tuple[str, str | Callable[[Any], object]]) -> list[Column]:
    """Table columns: ``"name"`` shows the attribute of that name, ``("header", "attr")`` shows
    an attribute under another header, and ``("header", fn)`` shows what ``fn`` computes."""
    out: list[Column] = []
    for spec in specs:
        header, source = (spec, spec) if isinstance(spec, str) else spec
        out.append((header, operator.attrgetter(source) if isinstance(source, str) else source))
    return out


class Failure(Exception):
    """A one-line reason to stop, already worded for the user."""


class Remote:
    """One command run: where to connect, how to print."""

    def __init__(self, url: str | None, api_key: str | None, profile: str | None, as_json: bool):
        self._url, self._key, self._profile = url, api_key, profile
        self.as_json = as_json
        self.out = Console(soft_wrap=True)
        self.err = Console(stderr=True, soft_wrap=True)
        self._client: Spacegate | None = None
        self._others: list[Spacegate] = []

    def _server(self) -> tuple[str, str]:
        url, key = self._url, self._key
        if url is None or key is None:
            try:
                saved = profiles.load(self._profile)
            except LookupError as exc:
                raise Failure(str(exc)) from None
            url = url or (saved.url if saved else None)
            key = key or (saved.api_key if saved else None)
        if not url or not key:
            raise Failure(
                "no server: pass --url and --api-key, set SPACEGATE_URL and "
                "SPACEGATE_API_KEY, or run `spacegate login`"
            )
        return url, key

    @property
    def client(self) -> Spacegate:
        if self._client is None:
            from spacegate.client import Spacegate

            self._client = Spacegate(*self._server())
        return self._client

    def in_space(self, space: str) -> Spacegate:
        """A client acting in ``space`` (id or name): for a space's own resources (chats ...)."""
        from spacegate.client import Spacegate

        client = Spacegate(*self._server(), space_id=space_id(self, space))
        self._others.append(client)
        return client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        for other in self._others:
            other.close()

    # -- output ---------------------------------------------------------------------------

    def show(self, item: BaseModel | dict[str, Any], fields: Sequence[str] | None = None) -> None:
        data = item if isinstance(item, dict) else item.model_dump(mode="json")
        if self.as_json:
            self.json_line(data)
            return
        from rich.table import Table

        table = Table(show_header=False, box=None)
        for key in fields or data:
            table.add_row(f"[bold]{key}[/]", _cell(data.get(key)))
        self.out.print(table)

    def table(
        self,
        rows: Iterable[Any],
        columns: Sequence[Column],
        title: str | None = None,
        whole: Sequence[str] = (),
    ) -> None:
        """``whole``: headers of columns the next command takes (names, file keys), never cut
        like the columns holding ids."""
        rows = list(rows)
        if self.as_json:
            self.json_line([_plain(r) for r in rows])
            return
        from rich.measure import Measurement
        from rich.table import Table

        cells = [[_cell(get(row)) for _, get in columns] for row in rows]
        table = Table(title=title)
        for i, (header, _) in enumerate(columns):
            # An id is copied into the next command: never cut or wrapped.
            keep = header in whole or any(_ID.search(line[i]) for line in cells)
            table.add_column(header, no_wrap=keep)
        for line in cells:
            table.add_row(*line)
        # Narrower than the ids need, the table is printed wider than the terminal (which wraps
        # the lines) rather than shortening an id with an ellipsis.
        width = self.out.width
        needed = Measurement.get(self.out, self.out.options.update_width(10_000), table).minimum
        self.out.width = max(width, needed)
        try:
            self.out.print(table)
        finally:
            self.out.width = width
        if not rows:
            self.err.print("[dim]nothing to show[/]")

    def done(self, message: str, data: object = None) -> None:
        if self.as_json:
            self.json_line(_plain(data) if data is not None else {"ok": True})
        else:
            self.out.print(message)

    def json_line(self, data: object) -> None:
        sys.stdout.write(json.dumps(data, default=str) + "\n")


#: A UUID, or an API key's shown prefix: what commands take as arguments.
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\bsg_\w+")


def _plain(value: object) -> object:
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _cell(value: object) -> str:
    if value is None:
        return "[dim]-[/]"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def one_line(exc: BaseException) -> str:
    from pydantic import ValidationError

    from spacegate.client import SpacegateError

    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        return f"invalid input: {loc + ': ' if loc else ''}{first['msg']}"
    if isinstance(exc, SpacegateError | Failure):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def remote(app: typer.Typer, name: str | None = None, **options: Any) -> Callable[..., Any]:
    """Register ``fn(r: Remote, ...)`` as a command with the connection and output options."""

    def register(fn: Callable[..., None]) -> Callable[..., None]:
        from typing import get_type_hints

        hints = get_type_hints(fn, include_extras=True)
        own = [
            p.replace(annotation=hints[p.name])
            for p in list(inspect.signature(fn).parameters.values())[1:]
        ]
        shared = [
            inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=d, annotation=a)
            for n, a, d in (
                ("url", Url, None),
                ("api_key", ApiKey, None),
                ("profile", ProfileName, None),
                ("as_json", AsJson, False),
            )
        ]

        @functools.wraps(fn)
        def command(**kwargs: Any) -> None:
            r = Remote(
                kwargs.pop("url"),
                kwargs.pop("api_key"),
                kwargs.pop("profile"),
                kwargs.pop("as_json"),
            )
            try:
                fn(r, **kwargs)
            except (typer.Exit, typer.Abort, KeyboardInterrupt):
                raise
            except Exception as exc:
                r.err.print(f"[red]error:[/] {one_line(exc)}", markup=True, highlight=False)
                raise typer.Exit(1) from None
            finally:
                r.close()

        params = own + shared
        del command.__wrapped__  # typer must see the new signature, not the function's own
        command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}
        app.command(name, **options)(command)
        return fn

    return register


# -- parsing helpers shared by the commands ---------------------------------------------------

_RELATIVE = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_when(value: str | None) -> datetime | None:
    """``2026-01-31``, ``2026-01-31T08:00:00Z`` or a time ago: ``30m``, ``24h``, ``7d``, ``2w``."""
    if value is None:
        return None
    match = _RELATIVE.match(value.strip())
    if match:
        return datetime.now(UTC) - timedelta(**{_UNITS[match[2]]: int(match[1])})
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Failure(f"not a date, a time or a duration like 24h: {value!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def space_id(r: Remote, ref: str) -> str:
    """A space named by its id or by its (unique) name."""
    if is_uuid(ref):
        return ref
    found = [s for s in r.client.spaces.list(page_size=100) if s.name == ref]
    if not found:
        raise Failure(f"no space named '{ref}'")
    if len(found) > 1:
        raise Failure(f"{len(found)} spaces are named '{ref}'; use the space id")
    return str(found[0].id)


def model_id(r: Remote, ref: str) -> str:
    """A model's ``tenant_model_id``, from itself or from the model's alias."""
    if is_uuid(ref):
        return ref
    for m in r.client.models.list(page_size=100):
        if m.alias == ref:
            return str(m.tenant_model_id)
    raise Failure(f"no model with alias '{ref}'")


def model_alias(r: Remote, ref: str) -> str:
    """Entitlements name models by alias; accept a ``tenant_model_id`` too."""
    return r.client.models.get(ref).alias if is_uuid(ref) else ref
