"""``spacegate spaces | keys | providers | models`` against a live server."""

from __future__ import annotations

import stat
from pathlib import Path

from spacegate.client import Spacegate
from tests.cli_remote.helpers import Cli
from tests.factories import OrgCtx
from tests.fakes.provider import FakeProvider
from tests.live import LiveServer


def test_login_saves_a_private_profile_that_later_commands_use(
    server: LiveServer, owner: OrgCtx, tmp_path: Path
) -> None:
    cli = Cli(server.url, owner.key, tmp_path / "config")
    bare = {"SPACEGATE_URL": "", "SPACEGATE_API_KEY": ""}
    assert "no server" in cli.fails("spaces", "list", env=bare)

    assert "401" in cli.fails("login", "--url", server.url, "--api-key", "sg_wrong")
    out = cli.run("login", "--url", server.url, "--api-key", owner.key, env=bare).stdout
    assert "Logged in" in out
    saved = tmp_path / "config" / "spacegate" / "config.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert cli.run("profiles").stdout.split() == ["*", "default"]

    made = cli.json("spaces", "create", "from-profile", "--description", "d")
    assert made["name"] == "from-profile"
    listed = Cli("", "", tmp_path / "config").json("spaces", "list")
    assert [s["id"] for s in listed] == [made["id"]]

    cli.run("logout")
    assert "no server" in cli.fails("spaces", "list", env=bare)


def test_spaces(cli: Cli, sg: Spacegate) -> None:
    made = [sg.spaces.create(name=f"bulk-{i:02}", description="") for i in range(52)]
    listed = cli.json("spaces", "list")  # more than one page of 50
    assert [s["id"] for s in listed] == [str(s.id) for s in made]
    assert len(cli.json("spaces", "list", "--limit", "3")) == 3
    table = cli.run("spaces", "list", "--limit", "2").stdout
    assert "bulk-00" in table and "bulk-01" in table and "bulk-02" not in table

    space = cli.json("spaces", "create", "research", "--description", "the lab")
    assert cli.json("spaces", "get", "research")["id"] == space["id"]
    assert cli.json("spaces", "update", "research", "--name", "lab")["name"] == "lab"
    assert cli.json("spaces", "delete", "lab")["id"] == space["id"]
    assert cli.fails("spaces", "get", space["id"]).startswith("error: 404 space_not_found:")
    assert "no space named 'lab'" in cli.fails("spaces", "get", "lab")
    assert "Restored" in cli.run("spaces", "restore", space["id"]).stdout
    assert cli.json("spaces", "members", "lab") == []


def test_keys(cli: Cli, sg: Spacegate) -> None:
    sg.spaces.create(name="keyed", description="")
    made = cli.json("keys", "create", "--name", "ci", "--space", "keyed")
    assert made["key"].startswith("sg_") and made["space_id"]
    assert made["id"] in {k["id"] for k in cli.json("keys", "list")}
    limited = cli.json("keys", "limits", made["id"], "--rpm", "7")
    assert (limited["rpm"], limited["tpm"]) == (7, None)
    assert cli.json("keys", "limits", made["id"])["rpm"] == 7
    assert cli.json("keys", "revoke", made["id"])["revoked_at"]
    assert sg.api_keys.get(made["id"]).revoked_at is not None


def test_providers_and_models(cli: Cli, upstream: FakeProvider) -> None:
    provider = cli.json(
        "providers", "create", "--name", "fake", "--type", "openai",
        "--base-url", f"{upstream.url}/v1", "--credential", "sk-cli-secret-1234567890",
    )  # fmt: skip
    assert provider["has_api_key"] and "sk-cli-secret" not in str(provider)
    assert [p["id"] for p in cli.json("providers", "list")] == [provider["id"]]
    assert cli.json("providers", "get", provider["id"])["name"] == "fake"
    assert cli.json("providers", "update", provider["id"], "--disable")["enabled"] is False
    assert "invalid input" in cli.fails("providers", "create", "--name", "x", "--type", "nope",
                                        "--base-url", "https://x.example.com")  # fmt: skip

    model = cli.json(
        "models", "create", "chat", "--provider", provider["id"],
        "--upstream-model", "fake-model", "--capability", "chat", "--context-window", "8192",
    )  # fmt: skip
    assert (model["alias"], model["capabilities"]) == ("chat", ["chat"])
    assert "chat" in cli.run("models", "list").stdout
    assert cli.json("models", "get", "chat")["tenant_model_id"] == model["tenant_model_id"]
    assert (
        cli.json("models", "update", "chat", "--context-window", "4096")["context_window"] == 4096
    )
    line = cli.fails("providers", "delete", provider["id"])
    assert line.startswith("error: 409 provider_in_use:")
    cli.run("models", "delete", "chat", "--force")
    assert cli.json("models", "list") == []
    cli.run("providers", "delete", provider["id"])
    assert cli.json("providers", "list") == []
