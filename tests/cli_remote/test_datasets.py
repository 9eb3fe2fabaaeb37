"""``spacegate datasets``: create, upload (ingested by the live server's runner, embedded through
the fake provider), list, show, search and status of a space's datasets."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from spacegate.client import Spacegate
from tests.cli_remote.helpers import Cli
from tests.client.fixtures import PROVIDER_KEY
from tests.factories import OrgCtx
from tests.fakes.provider import FakeProvider
from tests.jobs.hold import jobs_held
from tests.live import LiveServer

LONG = "a-dataset-name-long-enough-to-be-cut-in-a-narrow-terminal-" + "x" * 20


async def test_datasets(
    cli: Cli, server: LiveServer, owner: OrgCtx, upstream: FakeProvider, tmp_path: Path
) -> None:
    upstream.embedder = None
    async with jobs_held(keep=server.app.state.jobs):
        await asyncio.to_thread(_session, cli, server, owner, upstream, tmp_path)


def _space(server: LiveServer, owner: OrgCtx, upstream: FakeProvider) -> str:
    with Spacegate(server.url, owner.key) as sg:
        space = sg.spaces.create(name=f"ds-{uuid.uuid4().hex[:6]}", description="rag")
        provider = sg.providers.create(
            name="fake", type="openai", base_url=f"{upstream.url}/v1", api_key=PROVIDER_KEY
        )
        sg.models.create(
            alias="embedder",
            provider_id=provider.id,
            upstream_model="text-embedding-fake",
            capabilities=["embeddings"],
        )
        sg.entitlements.grant(space.id, "embedder")
    return str(space.id)


def _session(
    cli: Cli, server: LiveServer, owner: OrgCtx, upstream: FakeProvider, tmp_path: Path
) -> None:
    space = _space(server, owner, upstream)
    here = ("--space", space)
    made = cli.json(
        "datasets", "create", "manuals", *here, "--embedding-model", "embedder",
        "--chunk-size", "32", "--chunk-overlap", "4", "--tag", "ops", "--summary", "Manuals",
    )  # fmt: skip
    assert made["configuration"]["embedding_model"] == "embedder" and made["tags"] == ["ops"]
    cli.run("datasets", "create", LONG, *here)

    relay, menu = tmp_path / "relay.txt", tmp_path / "menu.md"
    relay.write_text("The relay station keeps the maintenance log for the antenna array.")
    menu.write_text("# Menu\n\nSoup on mondays, curry on thursdays.")
    up = cli.json("datasets", "upload", "manuals", str(relay), str(menu), *here, "--wait")
    assert [d["filename"] for d in up["documents"]] == ["relay.txt", "menu.md"]
    assert up["status"]["status"] == "ready" and up["status"]["documents"]["ready"] == 2

    assert LONG in cli.run("datasets", "list", *here, env={"COLUMNS": "60"}).stdout  # whole
    assert "ready (2/2 ready)" in cli.run("datasets", "list", *here, env={"COLUMNS": "200"}).stdout
    assert {d["name"] for d in cli.json("datasets", "list", *here)} == {"manuals", LONG}

    found = cli.json("datasets", "search", "manuals", "antenna maintenance", *here, "--limit", "1")
    assert [h["metadata"]["filename"] for h in found["documents"]] == ["relay.txt"]
    table = cli.run("datasets", "search", "manuals", "antenna maintenance", *here).stdout
    assert "relay.txt" in table and up["documents"][0]["id"] in table

    shown = cli.run("datasets", "show", "manuals", *here, env={"COLUMNS": "60"}).stdout
    assert "manuals: ready; 2 documents" in shown
    for doc in up["documents"]:
        assert doc["id"] in shown
    status = cli.json("datasets", "status", "manuals", *here, "--jobs")
    assert status["chunks"] >= 2 and {j["status"] for j in status["jobs"]} == {"succeeded"}
    assert "manuals: ready" in cli.run("datasets", "status", "manuals", *here, "--wait").stdout

    assert "404" in cli.fails("datasets", "show", "nope", *here)
    assert "embedding_model" in cli.fails(
        "datasets", "create", "bad", *here, "--embedding-model", "ghost"
    )
