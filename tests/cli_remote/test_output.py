"""What the CLI prints for people: ids whole (they are pasted into the next command) however
narrow the terminal, periods that say what they cover, times in the zone they are labelled with,
costs with their currency."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import openai

from spacegate.client import Spacegate
from tests.cli_remote.helpers import Cli
from tests.client.fixtures import make_setup
from tests.factories import OrgCtx
from tests.fakes.provider import FakeProvider
from tests.live import LiveServer


def test_ids_are_never_cut(cli: Cli, sg: Spacegate) -> None:
    space = sg.spaces.create(
        name=f"a space with a rather long name {uuid.uuid4().hex}",
        description="and a description long enough to need several lines in any table " * 2,
    )
    for columns in ("60", "80", "200"):
        out = cli.run("spaces", "list", env={"COLUMNS": columns}).stdout
        assert str(space.id) in out, (columns, out)
    keys = cli.run("keys", "list", env={"COLUMNS": "60"}).stdout
    for key in sg.api_keys.list():
        assert str(key.id) in keys


def test_usage_periods_and_time_zones(
    cli: Cli, sg: Spacegate, server: LiveServer, owner: OrgCtx, upstream: FakeProvider
) -> None:
    setup = make_setup(sg, upstream, alias="zoned")
    with openai.OpenAI(
        base_url=f"{server.url}/v1",
        api_key=owner.key,
        default_headers={"X-Space-Id": setup.space_id},
    ) as ai:
        ai.chat.completions.create(model="zoned", messages=[{"role": "user", "content": "hi"}])

    summary = cli.run("usage", "summary", "--since", "7d").stdout
    period = re.search(r"period\s+(\S+ \S+) \.\. now \(UTC\)", summary)
    assert period, summary
    since = datetime.strptime(period.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    assert abs(since - (datetime.now(UTC) - timedelta(days=7))) < timedelta(minutes=5)

    report = cli.json("usage", "report", "--tz", "Europe/Paris", "--group-by", "model")
    assert report["tz"] == "Europe/Paris" and report["currency"] == "USD"
    table = cli.run("usage", "report", "--tz", "Europe/Paris", "--group-by", "model").stdout
    end = datetime.fromisoformat(report["end"].replace("Z", "+00:00"))
    paris = end.astimezone(ZoneInfo("Europe/Paris"))
    # The title's end is the report's end in Paris time, labelled so (not UTC labelled Paris).
    assert f"{paris:%Y-%m-%d} " in table and "(Europe/Paris)" in table
    title = re.search(r"\.\. (\S+ \S+) \(Europe/Paris\)", table)
    assert title, table
    shown = datetime.strptime(title.group(1), "%Y-%m-%d %H:%M")
    assert shown == paris.replace(tzinfo=None, second=0, microsecond=0)
    assert "cost (USD)" in table and "E-" not in table
