"""``spacegate usage`` and ``spacegate logs`` after real calls through the gateway."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import openai
import pytest

from spacegate.client import Spacegate
from tests.cli_remote.helpers import Cli
from tests.client.fixtures import make_setup
from tests.factories import OrgCtx
from tests.fakes.provider import FakeProvider
from tests.live import LiveServer


def test_usage_and_logs(
    cli: Cli, sg: Spacegate, server: LiveServer, owner: OrgCtx, upstream: FakeProvider
) -> None:
    setup = make_setup(sg, upstream, alias="talk")
    sg.entitlements.set_limits(setup.space_id, "talk", {"rpm": 100})
    with openai.OpenAI(
        base_url=f"{server.url}/v1",
        api_key=owner.key,
        default_headers={"X-Space-Id": setup.space_id},
    ) as ai:
        for text in ("one", "two two"):
            ai.chat.completions.create(model="talk", messages=[{"role": "user", "content": text}])
    # Log rows are written in batches: follow (with history) until both calls are there.
    for _ in sg.inference_logs.follow(history=True, interval=0.05):
        if len(list(sg.inference_logs.list())) == 2:
            break

    logs = cli.json("logs", "--model", "talk")
    assert [log["status"] for log in logs] == ["success", "success"]
    assert cli.json("logs", "--status", "error") == []
    assert len(cli.json("logs", "--limit", "1")) == 1
    assert "talk" in cli.run("logs", "--space", setup.space_id).stdout
    followed = cli.run(
        "logs", "--follow", "--since", "1h", "--polls", "1", "--interval", "0.01", "--json"
    )
    assert [json.loads(line)["model"] for line in followed.stdout.splitlines()] == ["talk", "talk"]
    assert "not a date" in cli.fails("logs", "--since", "yesterday-ish")
    key_id = logs[0]["api_key_id"]
    assert len(cli.json("logs", "--key", key_id)) == 2
    assert cli.json("logs", "--key", str(uuid.uuid4())) == []
    assert cli.json("usage", "summary", "--key", key_id)["total_calls"] == 2
    assert cli.json("usage", "summary", "--key", str(uuid.uuid4()))["total_calls"] == 0

    summary = cli.json("usage", "summary", "--space", setup.space_id)
    assert summary["total_calls"] == 2 and summary["model_usage"]["talk"]["calls"] == 2
    table = cli.run("usage", "summary", "--model", "talk").stdout
    assert "100.0%" in table and "talk" in table
    days = cli.json("usage", "daily", "--days", "2")
    assert len(days) == 2 and sum(d["total_calls"] for d in days) == 2
    table = cli.run("usage", "daily").stdout
    assert "tokens" in table and datetime.now(UTC).date().isoformat() in table

    mine = cli.json("usage", "mine", "--space", setup.space_id)
    assert mine["data"][0]["rates"]["rpm"]["limit"] == 100
    assert "rpm" in cli.run("usage", "mine", "--space", setup.space_id).stdout


def test_logs_and_summary_show_refused_calls(
    cli: Cli, sg: Spacegate, server: LiveServer, owner: OrgCtx, upstream: FakeProvider
) -> None:
    setup = make_setup(sg, upstream, alias="guarded")
    with openai.OpenAI(
        base_url=f"{server.url}/v1",
        api_key=owner.key,
        default_headers={"X-Space-Id": setup.space_id},
        max_retries=0,
    ) as ai:
        ai.chat.completions.create(model="guarded", messages=[{"role": "user", "content": "hi"}])
        with pytest.raises(openai.PermissionDeniedError):
            ai.chat.completions.create(model="nope", messages=[{"role": "user", "content": "hi"}])
    for _ in sg.inference_logs.follow(history=True, interval=0.05):
        if len(list(sg.inference_logs.list())) == 2:
            break

    [refused] = cli.json("logs", "--refused")
    assert refused["error_code"] == "model_not_entitled" and refused["refused_by"] == "entitlement"
    assert refused["total_tokens"] == 0 and refused["model"] == "nope"
    [reached] = cli.json("logs", "--not-refused")
    assert reached["model"] == "guarded"
    assert len(cli.json("logs", "--code", "model_not_entitled")) == 1
    table = cli.run("logs", "--refused").stdout
    assert "refused" in table and "403" in table
    summary = cli.json("usage", "summary")
    assert summary["refused_calls"] == 1 and summary["refusals"] == {"model_not_entitled": 1}
    assert "1 model_not_entitled" in cli.run("usage", "summary").stdout
