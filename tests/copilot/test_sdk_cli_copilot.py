"""The client's copilot resources and the ``actions`` / ``personas`` / ``arguments`` /
``insight`` commands against a live server."""

from __future__ import annotations

import json
from pathlib import Path

from spacegate.client import Spacegate
from tests.cli_remote.helpers import Cli
from tests.client.fixtures import make_setup, owner, server, sg, upstream
from tests.factories import OrgCtx
from tests.fakes.provider import FakeProvider
from tests.live import LiveServer

__all__ = ["owner", "server", "sg", "upstream"]


def test_the_client_and_the_commands_do_a_days_copilot_work(
    server: LiveServer, owner: OrgCtx, sg: Spacegate, upstream: FakeProvider, tmp_path: Path
) -> None:
    setup = make_setup(sg, upstream, alias="advisor")
    here = Spacegate(server.url, owner.key, space_id=setup.space_id)
    cli = Cli(server.url, owner.key, tmp_path / "config")
    try:
        group = here.action_groups.create(name="cards", description="Card offers")
        action = here.actions.create(
            name="Upgrade",
            description="Premium card",
            type="upsell",
            priority="high",
            status="active",
            channel="email, sms",
            model_id="advisor",
            group=group.id,
        )
        assert action.group == group.id and [a.id for a in here.actions.list()] == [action.id]
        here.personas.create(name="Ana Lima", birthdate="1985-03-15", notes="old")
        people = tmp_path / "people.csv"
        people.write_bytes(b"name,birthdate,notes\nAna Lima,1985-03-15,new\nBo,1990-01-02,\n")
        shown = cli.run("personas", "import", str(people), "--space", setup.space_id)
        assert "1 matching" in shown.stderr and "Ana Lima" in shown.stdout
        assert len(list(here.personas.list())) == 1
        done = cli.json(
            "personas", "import", str(people), "--space", setup.space_id, "--resolution", "skip"
        )
        assert done["total_uploaded"] == 1 and done["conflicts_resolved"] == 1
        ana = next(p for p in here.personas.list() if p.name == "Ana Lima")
        upstream.responder = lambda _b: json.dumps(
            {
                "action_id": str(action.id),
                "insight": "Travels",
                "argument": "Upgrade",
                "argument_content": "Dear Ana",
                "best_channel": "email",
                "best_time": "morning",
                "timeliness": "now",
            }
        )
        got = cli.json("insight", "--space", setup.space_id, "--client", str(ana.id))
        assert got["best_channel"] == "email" and got["actions"] == str(action.id)
        upstream.responder = lambda _b: json.dumps({"argument": "No fees abroad."})
        arg = here.arguments.create(
            action_id=action.id,
            client={"persona_id": str(ana.id)},
            product={"name": "Gold"},
            insight_spec={},
            model="advisor",
        )
        assert arg.review["status"] == "pending"
        here.arguments.review(arg.id, "waiting_review", comments="ok")
        rows = cli.json(
            "arguments", "list", "--space", setup.space_id, "--status", "waiting_review"
        )
        assert [r["id"] for r in rows] == [str(arg.id)]
        moved = cli.json("arguments", "review", str(arg.id), "reviewing", "--space", setup.space_id)
        assert moved["review"]["status"] == "reviewing"
        failed = cli.run(
            "arguments", "review", str(arg.id), "pending", "--space", setup.space_id, ok=False
        )
        assert failed.exit_code != 0 and "success, failed, waiting_review" in failed.stderr
        assert cli.json("actions", "list", "--space", setup.space_id)[0]["id"] == str(action.id)
    finally:
        upstream.responder = None
        here.close()
