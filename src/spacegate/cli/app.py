"""The ``spacegate`` command: serve, migrate, bootstrap, recover-owner."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from spacegate.cli import welcome
from spacegate.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from spacegate.orgs.service import Bootstrapped

app = typer.Typer(
    help="Spacegate: govern how your organisation uses AI models.", no_args_is_help=True
)
err = Console(stderr=True)
out = Console()


def _migrate(settings: Settings) -> None:
    from spacegate.db.migrate import upgrade

    upgrade(settings.resolved_database_url)


async def _pending_state(settings: Settings) -> tuple[bool, bool]:
    """(schema is at head, at least one org exists)."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import func, select, text

    from spacegate.db.engine import create_engine
    from spacegate.db.migrate import alembic_config
    from spacegate.models import Org

    head = ScriptDirectory.from_config(
        alembic_config(settings.resolved_database_url)
    ).get_current_head()
    engine = create_engine(settings.resolved_database_url)
    try:
        async with engine.connect() as conn:
            try:
                current = (
                    await conn.execute(text("SELECT version_num FROM alembic_version"))
                ).scalar()
            except Exception:
                return False, False
            if current != head:
                return False, False
            return True, bool((await conn.execute(select(func.count()).select_from(Org))).scalar())
    finally:
        await engine.dispose()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (more than 1 needs Redis).")
    ] = 1,
    access_log: Annotated[bool, typer.Option(help="Log every request line.")] = False,
) -> None:
    """Run the API server. Migrates the embedded SQLite database by itself."""
    import uvicorn

    settings = Settings()
    if workers > 1 and not settings.redis_url:
        err.print(
            "[red]Refusing to start:[/] --workers > 1 needs SPACEGATE_REDIS_URL, otherwise every "
            "worker would keep its own limits and caches. Set SPACEGATE_REDIS_URL or use one "
            "worker."
        )
        raise typer.Exit(2)
    settings.resolved_secret_key  # noqa: B018  (create the secret once, before workers race for it)
    if workers > 1:
        # Each worker is a process of its own: while Redis is away, each enforces its share of a
        # rate limit, and the fleet has LIMITS_INSTANCES replicas of ``workers`` processes each.
        os.environ["SPACEGATE_LIMITS_INSTANCES"] = str(settings.limits_instances * workers)
    if settings.is_sqlite:
        _migrate(settings)
    at_head, has_org = asyncio.run(_pending_state(settings))
    if not at_head:
        err.print(
            "[red]The database schema is not up to date.[/] Run [bold]spacegate migrate[/] first."
        )
        raise typer.Exit(2)
    url = welcome.url_of(host, port)
    welcome.record_url(settings, url)
    if not has_org:
        welcome.first_start(err, url)
    uvicorn.run(
        "spacegate.main:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level=settings.log_level.lower(),
    )


@app.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    settings = Settings()
    _migrate(settings)
    out.print("[green]Database is up to date.[/]")


@app.command()
def bootstrap(
    org: Annotated[str, typer.Option("--org", help="Name of the new org.")],
    email: Annotated[str, typer.Option("--email", help="Email of its owner.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    url: Annotated[
        str | None,
        typer.Option(
            help="The server's address, for the commands printed (default: where `spacegate "
            "serve` last listened with this data directory).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create an org, its owner user and an owner API key (shown once)."""
    from spacegate.kit.emails import InvalidEmail, normalize_email

    settings = Settings()
    name = org.strip()
    if not name or len(name) > 200:
        err.print("[red]--org must be 1 to 200 characters.[/]")
        raise typer.Exit(1)
    try:
        address = normalize_email(email)
    except InvalidEmail as exc:
        err.print(f"[red]Invalid --email:[/] {exc}")
        raise typer.Exit(1) from None
    if settings.is_sqlite:
        _migrate(settings)
    from spacegate.errors import AppError

    try:
        result = asyncio.run(_bootstrap(settings, name, address))
    except AppError as exc:
        err.print(f"[red]{exc.message}[/] Nothing was changed.")
        raise typer.Exit(1) from None
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    welcome.bootstrapped(out, result, url or welcome.recorded_url(settings))


async def _bootstrap(settings: Settings, org: str, email: str) -> dict[str, str]:
    from spacegate.orgs.service import bootstrap as do_bootstrap

    return await _in_one_transaction(
        settings, lambda session: do_bootstrap(session, org_name=org, email=email)
    )


async def _in_one_transaction(
    settings: Settings, work: Callable[[AsyncSession], Awaitable[Bootstrapped]]
) -> dict[str, str]:
    """An operator's command, straight on the database: ``work`` in one transaction."""
    from spacegate.db.engine import create_engine, create_sessionmaker

    engine = create_engine(settings.resolved_database_url).execution_options(
        sqlite_begin="IMMEDIATE"
    )
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            made = await work(session)
            return {
                "org_id": str(made.org.id),
                "org_name": made.org.name,
                "user_id": str(made.user.id),
                "email": made.user.email,
                "api_key": made.api_key,
            }
    finally:
        await engine.dispose()


@app.command("recover-owner")
def recover_owner(
    org: Annotated[str, typer.Option("--org", help="Name of the org.")],
    email: Annotated[
        str | None, typer.Option("--email", help="Which owner (default: the first).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """A new API key for an org's owner, when every owner key is lost (run on the server:
    it writes to the database directly). Existing keys are left as they are."""
    settings = Settings()
    from spacegate.errors import AppError

    try:
        result = asyncio.run(_recover(settings, org.strip(), email))
    except AppError as exc:
        err.print(f"[red]{exc.message}[/] Nothing was changed.")
        raise typer.Exit(1) from None
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")
        return
    out.print(
        f"New API key for {result['email']} (owner of '{result['org_name']}'), shown only "
        f"once:\n{result['api_key']}\nRevoke the lost keys with it: spacegate keys list, "
        "spacegate keys revoke KEY_ID.",
        soft_wrap=True,
    )


async def _recover(settings: Settings, org: str, email: str | None) -> dict[str, str]:
    from spacegate.orgs.service import recover_owner as do_recover

    return await _in_one_transaction(
        settings, lambda session: do_recover(session, org_name=org, email=email)
    )


from spacegate.cli.commands import install as install_remote_commands  # noqa: E402

install_remote_commands(app)


def main() -> None:
    app()
