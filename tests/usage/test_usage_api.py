"""``GET /v1/usage``: ledger sums by day (in a time zone), model, space and key; filters,
validation, and what a member sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from spacegate.runtime import Runtime
from tests.factories import invite_and_accept, make_key
from tests.usage.ledger import Ledger, cost, make_ledger

MARCH = {"start": "2026-03-01T00:00:00Z", "end": "2026-03-20T00:00:00Z"}


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _days(body: dict[str, Any]) -> dict[str, int]:
    return {row["day"]: row["requests"] for row in body["data"]}


async def _around_midnight(ledger: Ledger) -> None:
    for at in ("2026-03-10T22:50:00Z", "2026-03-10T23:20:00Z", "2026-03-11T00:10:00Z"):
        await ledger.record("red", "alpha", _at(at))


async def test_days_follow_the_time_zone(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ledger = await make_ledger(client, runtime)
    await _around_midnight(ledger)

    utc = await ledger.report(group_by="day", tz="UTC", **MARCH)
    assert _days(utc) == {"2026-03-10": 2, "2026-03-11": 1}
    assert utc["tz"] == "UTC" and utc["group_by"] == ["day"]
    # Paris is UTC+1 in March: 23:20Z is 00:20 on the 11th there.
    paris = await ledger.report(group_by="day", tz="Europe/Paris", **MARCH)
    assert _days(paris) == {"2026-03-10": 1, "2026-03-11": 2}
    # Kathmandu is UTC+5:45: every call falls on the 11th.
    assert _days(await ledger.report(group_by="day", tz="Asia/Kathmandu", **MARCH)) == {
        "2026-03-11": 3
    }
    # Without ``tz`` the org's own time zone counts.
    r = await client.patch(
        f"/v1/orgs/{ledger.org.org_id}",
        json={"timezone": "Europe/Paris"},
        headers=ledger.org.headers,
    )
    assert r.status_code == 200, r.text
    default = await ledger.report(group_by="day", **MARCH)
    assert default["tz"] == "Europe/Paris" and _days(default) == _days(paris)
    assert default["totals"]["requests"] == 3


async def test_group_by_model_space_and_key_with_filters(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ledger = await make_ledger(client, runtime)
    _, key = await make_key(client, ledger.org, name="batch")
    key_id = str(key["id"])
    day = _at("2026-03-05T12:00:00Z")
    await ledger.record("red", "alpha", day, prompt=100, completion=50, calls=3, key_id=key_id)
    await ledger.record("red", "beta", day, prompt=10, completion=10)
    await ledger.record("blue", "alpha", day + timedelta(days=1), prompt=1000, completion=0)

    body = await ledger.report(group_by="model,space", **MARCH)
    rows = {(r["model"], r["space_id"]): r for r in body["data"]}
    assert set(rows) == {
        ("alpha", ledger.spaces["red"]),
        ("beta", ledger.spaces["red"]),
        ("alpha", ledger.spaces["blue"]),
    }
    red_alpha = rows[("alpha", ledger.spaces["red"])]
    assert (red_alpha["requests"], red_alpha["prompt_tokens"]) == (3, 300)
    assert (red_alpha["completion_tokens"], red_alpha["total_tokens"]) == (150, 450)
    assert Decimal(red_alpha["cost"]) == cost("alpha", 100, 50, calls=3)
    assert red_alpha["model_id"] == ledger.models["alpha"] and red_alpha["day"] is None
    # Biggest first: blue/alpha used 1000 tokens.
    assert body["data"][0]["space_id"] == ledger.spaces["blue"]
    assert body["totals"]["requests"] == 5
    assert body["totals"]["total_tokens"] == 450 + 20 + 1000
    expected = cost("alpha", 100, 50, 3) + cost("beta", 10, 10) + cost("alpha", 1000, 0)
    assert Decimal(body["totals"]["cost"]) == expected

    by_key = await ledger.report(group_by="api_key", **MARCH)
    assert {r["api_key_id"]: r["requests"] for r in by_key["data"]} == {key_id: 3, None: 2}

    only_red = await ledger.report(group_by="model", space_id=ledger.spaces["red"], **MARCH)
    assert {r["model"]: r["requests"] for r in only_red["data"]} == {"alpha": 3, "beta": 1}
    by_alias = await ledger.report(group_by="space", model="alpha", **MARCH)
    assert {r["space_id"]: r["requests"] for r in by_alias["data"]} == {
        ledger.spaces["red"]: 3,
        ledger.spaces["blue"]: 1,
    }
    by_id = await ledger.report(model=ledger.models["beta"], **MARCH)
    assert by_id["totals"]["requests"] == 1 and len(by_id["data"]) == 1
    assert (await ledger.report(api_key_id=key_id, **MARCH))["totals"]["requests"] == 3
    nothing = await ledger.report(model="no-such-model", group_by="day", **MARCH)
    assert nothing["data"] == [] and nothing["totals"]["requests"] == 0
    # A range that ends before the calls: nothing.
    early = await ledger.report(start="2026-03-01T00:00:00Z", end="2026-03-05T12:00:00Z")
    assert early["data"] == [] and early["totals"]["total_tokens"] == 0


async def test_the_default_period_is_the_last_30_days(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ledger = await make_ledger(client, runtime)
    now = datetime.now(UTC)
    await ledger.record("red", "alpha", now - timedelta(days=40))
    await ledger.record("red", "alpha", now - timedelta(days=10))
    await ledger.record("red", "beta", now - timedelta(minutes=1))
    body = await ledger.report(group_by="day", tz="UTC")
    assert body["totals"]["requests"] == 2
    start = datetime.fromisoformat(body["start"].replace("Z", "+00:00"))
    assert start == datetime.combine(
        now.date() - timedelta(days=29), datetime.min.time(), tzinfo=UTC
    )


async def test_invalid_queries_are_refused_with_a_clear_message(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ledger = await make_ledger(client, runtime, spaces=())
    cases = {
        "invalid_timezone": {"tz": "Mars/Olympus_Mons"},
        "invalid_period": {"start": "2026-03-10T00:00:00Z", "end": "2026-03-01T00:00:00Z"},
        "period_too_long": {"start": "2025-01-01T00:00:00Z", "end": "2026-03-01T00:00:00Z"},
        "invalid_group_by": {"group_by": "day,week"},
    }
    for code, params in cases.items():
        r = await ledger.get(params)
        assert r.status_code == 422, (code, r.text)
        assert r.json()["code"] == code
    assert "Mars/Olympus_Mons" in (await ledger.get(cases["invalid_timezone"])).json()["detail"]
    assert "366 days" in (await ledger.get(cases["period_too_long"])).json()["detail"]
    r = await ledger.get({"start": "0.5"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "start"]
    assert (await client.get("/v1/usage")).status_code == 401


async def test_a_member_sees_only_the_usage_of_their_spaces(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ledger = await make_ledger(client, runtime)
    day = _at("2026-03-05T12:00:00Z")
    await ledger.record("red", "alpha", day, calls=2)
    await ledger.record("blue", "alpha", day, calls=5)
    dev = await invite_and_accept(
        client, ledger.org, ledger.spaces["red"], "dev@example.com", [], role="developer"
    )
    headers = {"X-API-Key": str(dev["api_key"])}

    r = await ledger.get({"group_by": "space", **MARCH}, **headers)
    assert r.status_code == 200, r.text
    assert {x["space_id"]: x["requests"] for x in r.json()["data"]} == {ledger.spaces["red"]: 2}
    r = await ledger.get({"space_id": ledger.spaces["blue"], **MARCH}, **headers)
    assert r.status_code == 200 and r.json()["totals"]["requests"] == 0
    # The owner's key bound to one space sees that space only.
    bound, _ = await make_key(client, ledger.org, space_id=ledger.spaces["blue"])
    r = await ledger.get(MARCH, **{"X-API-Key": bound})
    assert r.status_code == 200 and r.json()["totals"]["requests"] == 5
    # A key restricted to other permissions may not read usage at all.
    narrow, _ = await make_key(client, ledger.org, permissions=["spaces:list"])
    r = await ledger.get(MARCH, **{"X-API-Key": narrow})
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    # Another org's key sees none of it.
    other = await make_ledger(client, runtime, spaces=())
    assert (await other.report(**MARCH))["totals"]["requests"] == 0
