"""``spacegate chat`` and ``spacegate chats`` against a live server."""

from __future__ import annotations

from pathlib import Path

from spacegate.client import Spacegate
from tests.cli_remote.helpers import Cli
from tests.client.fixtures import make_setup, owner, server, sg, upstream
from tests.copilot.test_turns import script
from tests.factories import OrgCtx
from tests.fakes.provider import FakeProvider
from tests.live import LiveServer

__all__ = ["owner", "server", "sg", "upstream"]


def test_a_turn_from_the_command_line_and_the_chat_it_made(
    server: LiveServer, owner: OrgCtx, sg: Spacegate, upstream: FakeProvider, tmp_path: Path
) -> None:
    setup = make_setup(sg, upstream, alias="talk")
    upstream.responder = script(answer="Hello from the copilot.")
    cli = Cli(server.url, owner.key, tmp_path / "config")
    try:
        result = cli.run(
            "chat", "hi there", "--space", setup.space_id, "--model", "talk", "--guard"
        )
        assert "Hello from the copilot." in result.stdout
        assert "guard: safe" in result.stderr
        chat_id = result.stderr.split("chat: ")[1].split()[0]
        [row] = cli.json("chats", "list", "--space", setup.space_id)
        assert row["id"] == chat_id
        assert row["name"] == "hi there"
        shown = cli.run("chats", "show", chat_id, "--space", setup.space_id)
        assert "assistant: Hello from the copilot." in shown.stdout
        cli.run("chats", "delete", chat_id, "--space", setup.space_id)
        assert cli.json("chats", "list", "--space", setup.space_id) == []
    finally:
        upstream.responder = None
