"""``spacegate entitlements``: one by one, to every space, and from a YAML file (twice)."""

from __future__ import annotations

import json
from pathlib import Path

from spacegate.client import Spacegate
from tests.cli_remote.helpers import Cli
from tests.client.fixtures import make_setup
from tests.fakes.provider import FakeProvider


def test_one_by_one(cli: Cli, sg: Spacegate, upstream: FakeProvider) -> None:
    setup = make_setup(sg, upstream, alias="base")
    space = sg.spaces.get(setup.space_id).name
    sg.models.create(alias="extra", provider_id=setup.provider_id, upstream_model="fake-model")

    made = cli.json("entitlements", "grant", space, "extra", "--rpm", "10",
                    "--token-budget", "5000/week", "--disabled")  # fmt: skip
    assert made["enabled"] is False
    assert made["workspace_limits"] == {
        "rpm": 10,
        "token_budget": {"limit": 5000, "period": "week"},
    }
    listed = cli.json("entitlements", "list", space)
    assert [e["logical_model_id"] for e in listed] == ["base", "extra"]
    assert [
        e["logical_model_id"] for e in cli.json("entitlements", "list", space, "--enabled-only")
    ] == ["base"]
    assert "extra" in cli.run("entitlements", "list", space).stdout

    assert cli.json("entitlements", "enable", space, "extra")["enabled"] is True
    assert cli.json("entitlements", "disable", space, "extra")["enabled"] is False
    limited = cli.json("entitlements", "limits", space, "extra", "--cost-budget", "12.5/month")
    assert limited["workspace_limits"] == {"cost_budget": {"limit": 12.5, "period": "month"}}
    assert cli.json("entitlements", "limits", space, "extra", "--clear")["workspace_limits"] == {}
    assert "give at least one limit" in cli.fails("entitlements", "limits", space, "extra")

    assert cli.json("entitlements", "default", space, "base")["default_model_alias"] == "base"
    assert sg.entitlements.policy(setup.space_id).default_model_alias == "base"
    assert cli.json("entitlements", "default", space, "--clear")["default_model_alias"] is None

    cli.run("entitlements", "revoke", space, "extra")
    assert [e.logical_model_id for e in sg.entitlements.list(setup.space_id)] == ["base"]
    line = cli.fails("entitlements", "revoke", space, "extra")
    assert line.startswith("error: 404 ")


def test_grant_one_model_to_every_space(cli: Cli, sg: Spacegate, upstream: FakeProvider) -> None:
    setup = make_setup(sg, upstream, alias="shared")  # its own space has it already
    others = [sg.spaces.create(name=f"team-{i}", description="") for i in range(3)]

    first = cli.json("entitlements", "grant-all", "shared", "--rpm", "20")
    actions = {row["space_id"]: row["action"] for row in first}
    assert actions == {setup.space_id: "unchanged", **{str(s.id): "granted" for s in others}}
    for space in others:
        assert sg.entitlements.get(space.id, "shared").workspace_limits.rpm == 20
    again = cli.json("entitlements", "grant-all", "shared")
    assert {row["action"] for row in again} == {"unchanged"}
    assert "granted to 0 spaces, 4 had it" in cli.run("entitlements", "grant-all", "shared").stdout


def test_apply_a_file_twice_changes_nothing_the_second_time(
    cli: Cli, sg: Spacegate, upstream: FakeProvider, tmp_path: Path
) -> None:
    setup = make_setup(sg, upstream, alias="small")  # "small" is granted in it, no limits
    home = sg.spaces.get(setup.space_id).name
    sg.models.create(alias="large", provider_id=setup.provider_id, upstream_model="fake-model")
    lab = sg.spaces.create(name="lab", description="")
    plan = tmp_path / "entitlements.yaml"
    plan.write_text(
        f"""
entitlements:
  - space: {home}
    model: small
    limits: {{rpm: 60}}
    default: true
  - space: {home}
    model: large
    enabled: false
  - space: lab
    model: large
    allowed_endpoints: [chat.completions]
    limits: {{token_budget: {{limit: 100000, period: month}}}}
  - space: {lab.id}
    model: small
"""
    )
    dry = cli.json("entitlements", "apply", str(plan), "--dry-run")
    assert [r["action"] for r in dry] == ["updated", "granted", "granted", "granted"]
    assert [e.logical_model_id for e in sg.entitlements.list(lab.id)] == []  # nothing changed

    first = cli.json("entitlements", "apply", str(plan))
    assert [r["action"] for r in first] == ["updated", "granted", "granted", "granted"]
    assert first[0]["changes"] == ["limits", "default"]
    assert sg.entitlements.get(setup.space_id, "small").workspace_limits.rpm == 60
    assert sg.entitlements.policy(setup.space_id).default_model_alias == "small"
    assert sg.entitlements.get(setup.space_id, "large").enabled is False
    in_lab = sg.entitlements.get(lab.id, "large")
    assert in_lab.allowed_endpoints == ["chat.completions"]
    assert in_lab.workspace_limits.token_budget is not None

    audit_before = len(list(sg.audit_logs.list()))
    second = cli.run("entitlements", "apply", str(plan))
    assert "0 granted, 0 updated, 4 unchanged" in second.stdout
    assert len(list(sg.audit_logs.list())) == audit_before  # not one write

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "entitlements:\n  - space: nowhere\n    model: small\n  - space: lab\n    model: small\n"
    )
    # A bulk run goes on past a failed entry, shows every outcome, then fails in one line.
    result = cli.run("entitlements", "apply", str(bad), "--json", ok=False)
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: 1 of 2 entries failed"
    rows = json.loads(result.stdout)
    assert [r["action"] for r in rows] == ["failed", "unchanged"]
    assert rows[0]["error"] == "no space named 'nowhere'"
    typo = tmp_path / "typo.yaml"
    typo.write_text("- space: lab\n  model: small\n  limit: {rpm: 1}\n")
    assert "unknown keys: limit" in cli.fails("entitlements", "apply", str(typo))
