"""Costs read as amounts in a currency: positional notation on the wire (``0.00000000``, never
``0E-8``), the currency named beside them (``SPACEGATE_CURRENCY``, USD by default), and the
console shows both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from spacegate.runtime import Runtime
from tests.console.conftest import Browser
from tests.entitlements.helpers import public_dns
from tests.usage.ledger import make_ledger

__all__ = ["public_dns"]


async def test_costs_are_plain_numbers_with_their_currency(
    client: httpx.AsyncClient, runtime: Runtime, anonymous: Browser, public_dns: None
) -> None:
    ledger = await make_ledger(client, runtime)
    at = datetime.now(UTC) - timedelta(minutes=1)
    await ledger.record("red", "alpha", at, prompt=0, completion=0)  # a free call: cost 0
    await ledger.record("red", "beta", at, prompt=1, completion=0)  # one millionth

    logs = await client.get("/v1/inference-logs", headers=ledger.org.headers)
    assert logs.json()["currency"] == "USD"
    costs = sorted(row["cost"] for row in logs.json()["data"])
    assert all("E" not in c for c in costs), costs
    assert [float(c) for c in costs] == [0.0, 0.000001]

    report = (
        await client.get("/v1/usage", params={"group_by": "model"}, headers=ledger.org.headers)
    ).json()
    assert report["currency"] == "USD"
    assert {row["model"]: row["cost"] for row in report["data"]}["alpha"].strip("0.") == ""
    assert "E" not in report["totals"]["cost"]

    assert (await anonymous.sign_in(ledger.org.key)).status_code == 303
    usage = await anonymous.get("/console/usage")
    assert "0.000001 USD" in usage.text
    logs_page = await anonymous.get("/console/logs")
    assert "0 USD" in logs_page.text and "0E-8" not in logs_page.text
