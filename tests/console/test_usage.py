"""The usage page: after real gateway calls, its tables show the numbers and the chart data it
hands to the page script matches ``GET /v1/usage``; a developer sees only their spaces."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tests.console.conftest import Browser
from tests.factories import invite_and_accept
from tests.gateway.conftest import World, api, fake_upstream, live, world
from tests.usage.traffic import chat, wait_for_logs

__all__ = ["api", "fake_upstream", "live", "world"]

_DATA = re.compile(r'<script type="application/json" id="usage-data">(.*?)</script>', re.S)


def chart_data(page: str) -> dict[str, Any]:
    match = _DATA.search(page)
    assert match, "no chart data in the page"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def table(page: str, table_id: str) -> str:
    """The text of one table, tags dropped, whitespace collapsed."""
    match = re.search(rf'<table class="table" id="{table_id}">(.*?)</table>', page, re.S)
    assert match, f"no table {table_id}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


async def _usage(w: World, **params: str) -> dict[str, Any]:
    r = await w.api.get("/v1/usage", params=params, headers=w.org.headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_gateway_calls_show_in_the_tables_and_the_chart_data(
    world: World, anonymous: Browser
) -> None:
    cheap = await world.model("cheap", input_price_per_mtok="1", output_price_per_mtok="2")
    for alias in (world.alias, world.alias, cheap["alias"]):
        assert (await chat(world, alias)).status_code == 200
    logs = await wait_for_logs(world, 3)
    assert (await anonymous.sign_in(world.org.key)).status_code == 303

    page = await anonymous.get("/console/usage")
    assert page.status_code == 200, page.text
    data = chart_data(page.text)
    today = datetime.now(UTC).date().isoformat()
    assert len(data["days"]) == 30 and data["days"][-1] == today
    by_model = {s["label"]: s for s in data["by_model"]}
    api_by_model = {r["model"]: r for r in (await _usage(world, group_by="model"))["data"]}
    assert set(by_model) == set(api_by_model) == {world.alias, "cheap"}
    for alias, row in api_by_model.items():
        assert sum(by_model[alias]["requests"]) == row["requests"]
        assert sum(by_model[alias]["tokens"]) == row["total_tokens"]
        assert by_model[alias]["requests"][-1] == row["requests"]  # all of it today
    [team] = data["by_space"]
    assert team["label"] == "team" and sum(team["requests"]) == 3
    [cost] = data["cost_by_space"]
    total_cost = sum(Decimal(x["cost"]) for x in logs)
    assert cost["label"] == "team" and Decimal(str(cost["cost"])) == total_cost > 0
    [key] = data["top_keys"]
    assert key["label"] == "owner key" and key["requests"] == 3

    # The same numbers in the tables beneath the charts.
    tokens = sum(x["total_tokens"] for x in logs)
    assert f"team 3 {tokens:,}" in table(page.text, "t-cost-space")
    assert f"owner key 3 {tokens:,}" in table(page.text, "t-keys")
    assert f"{today} 2 1 3" in table(page.text, "t-req-model")
    assert 'id="total-requests">3<' in page.text

    # Another period and a space filter.
    week = await anonymous.get("/console/usage", params={"days": "7", "space": world.space_id})
    assert week.status_code == 200 and len(chart_data(week.text)["days"]) == 7
    assert 'value="7" selected' in week.text
    other = await world.api.post(
        "/v1/spaces", json={"name": "quiet", "description": ""}, headers=world.org.headers
    )
    quiet = await anonymous.get("/console/usage", params={"space": other.json()["id"]})
    assert "No usage in this period for this space" in quiet.text
    assert chart_data(quiet.text)["by_model"] == []
    odd = await anonymous.get("/console/usage", params={"days": "12", "space": "nope"})
    assert odd.status_code == 200 and len(chart_data(odd.text)["days"]) == 30


async def test_a_developer_sees_only_the_usage_of_their_spaces(
    world: World, anonymous: Browser
) -> None:
    r = await world.api.post(
        "/v1/spaces", json={"name": "skunkworks", "description": ""}, headers=world.org.headers
    )
    hidden = r.json()["id"]
    await world.entitle(world.model_id, hidden)
    assert (await chat(world, world.alias)).status_code == 200
    for _ in range(2):
        assert (await chat(world, world.alias, space_id=hidden)).status_code == 200
    await wait_for_logs(world, 3)
    dev = await invite_and_accept(
        world.api, world.org, world.space_id, "dev@example.com", [], role="developer"
    )
    assert (await anonymous.sign_in(str(dev["api_key"]))).status_code == 303

    page = await anonymous.get("/console/usage")
    assert page.status_code == 200, page.text
    data = chart_data(page.text)
    assert [s["label"] for s in data["by_space"]] == ["team"]
    assert sum(data["by_space"][0]["requests"]) == 1
    assert "skunkworks" not in page.text
    assert 'id="total-requests">1<' in page.text
    # Naming the other space in the address shows nothing of it either.
    other = await anonymous.get("/console/usage", params={"space": hidden})
    assert 'id="total-requests">0<' in other.text
