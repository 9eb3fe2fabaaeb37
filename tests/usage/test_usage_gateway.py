"""Real calls through the gateway (to the fake provider) show up in ``GET /v1/usage`` with the
same numbers the inference logs hold."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.gateway.conftest import World, api, fake_upstream, live, world
from tests.usage.traffic import chat, wait_for_logs

__all__ = ["api", "fake_upstream", "live", "world"]


async def test_gateway_calls_are_summed_per_day_and_model(world: World) -> None:
    cheap = await world.model("cheap", input_price_per_mtok="1", output_price_per_mtok="2")
    for alias in (world.alias, world.alias, cheap["alias"]):
        r = await chat(world, alias)
        assert r.status_code == 200, r.text
    logs = await wait_for_logs(world, 3)
    assert len(logs) == 3

    async def usage(**params: str) -> dict[str, Any]:
        r = await world.api.get("/v1/usage", params=params, headers=world.org.headers)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    body = await usage(group_by="model")
    by_model = {row["model"]: row for row in body["data"]}
    assert {m: row["requests"] for m, row in by_model.items()} == {world.alias: 2, "cheap": 1}
    days = await usage(group_by="day", tz="UTC")
    assert {row["day"] for row in days["data"]} == {x["created_at"][:10] for x in logs}
    assert days["totals"] == body["totals"]
    for alias, row in by_model.items():
        mine = [x for x in logs if x["model"] == alias]
        assert row["total_tokens"] == sum(x["total_tokens"] for x in mine) > 0
        assert row["prompt_tokens"] == sum(x["prompt_tokens"] for x in mine)
        assert Decimal(row["cost"]) == sum(Decimal(x["cost"]) for x in mine)
    assert Decimal(by_model["cheap"]["cost"]) > 0
    assert body["totals"]["requests"] == 3
