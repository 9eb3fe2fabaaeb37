"""Commands that manage a Spacegate server through its HTTP API: ``--url`` / ``--api-key``,
``SPACEGATE_URL`` / ``SPACEGATE_API_KEY``, or a profile saved by ``spacegate login``."""

from __future__ import annotations

import typer


def install(app: typer.Typer) -> None:
    from spacegate.cli.commands import login as login_cmds
    from spacegate.cli.commands.chats import chat, chats
    from spacegate.cli.commands.copilot import actions, arguments, insight, personas
    from spacegate.cli.commands.datasets import datasets
    from spacegate.cli.commands.endpoints import endpoints
    from spacegate.cli.commands.entitlements import entitlements
    from spacegate.cli.commands.factory import checkpoints, clusters, connectors, leaderboard
    from spacegate.cli.commands.resources import keys, models, providers, spaces
    from spacegate.cli.commands.trainings import trainings
    from spacegate.cli.commands.usage import logs, usage
    from spacegate.cli.remote import remote

    app.command("login")(login_cmds.login)
    app.command("logout")(login_cmds.logout)
    app.command("profiles")(login_cmds.list_profiles)
    app.add_typer(spaces, name="spaces")
    app.add_typer(keys, name="keys")
    app.add_typer(providers, name="providers")
    app.add_typer(models, name="models")
    app.add_typer(entitlements, name="entitlements")
    app.add_typer(usage, name="usage")
    remote(app, "logs")(logs)
    remote(app, "chat")(chat)
    app.add_typer(chats, name="chats")
    app.add_typer(actions, name="actions")
    app.add_typer(personas, name="personas")
    app.add_typer(arguments, name="arguments")
    remote(app, "insight")(insight)
    app.add_typer(endpoints, name="endpoints")
    app.add_typer(datasets, name="datasets")
    app.add_typer(trainings, name="trainings")
    app.add_typer(checkpoints, name="checkpoints")
    remote(app, "leaderboard")(leaderboard)
    app.add_typer(connectors, name="connectors")
    app.add_typer(clusters, name="clusters")
