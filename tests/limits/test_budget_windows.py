"""Budget windows follow the org's calendar: a day starts at local midnight, a week on Monday,
a month on the 1st, daylight saving included; the org's time zone is a setting checked on write."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from spacegate.kit.clock import isoformat_z
from spacegate.limits.budgets import window
from tests.limits.conftest import World
from tests.limits.test_gateway_limits import _chat, _limits


def _window(period: str, zone: str, now: str) -> tuple[str, str]:
    start, end = window(period, ZoneInfo(zone), datetime.fromisoformat(now).replace(tzinfo=UTC))
    return isoformat_z(start), isoformat_z(end)


@pytest.mark.parametrize(
    ("period", "zone", "now", "expected"),
    [
        # Local midnight: 15:00 UTC the day before in Tokyo, 18:15 UTC in Kathmandu (+5:45).
        (
            "day",
            "Asia/Tokyo",
            "2026-03-10T16:00:00",
            ("2026-03-10T15:00:00Z", "2026-03-11T15:00:00Z"),
        ),
        (
            "day",
            "Asia/Tokyo",
            "2026-03-10T14:59:59",
            ("2026-03-09T15:00:00Z", "2026-03-10T15:00:00Z"),
        ),
        (
            "day",
            "Asia/Kathmandu",
            "2026-03-10T12:00:00",
            ("2026-03-09T18:15:00Z", "2026-03-10T18:15:00Z"),
        ),
        # Paris springs forward on 29 March 2026: that day is 23 hours long, 25 Oct is 25.
        (
            "day",
            "Europe/Paris",
            "2026-03-29T12:00:00",
            ("2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"),
        ),
        (
            "day",
            "Europe/Paris",
            "2026-10-25T12:00:00",
            ("2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z"),
        ),
        # Weeks start on Monday (16 March 2026), local time.
        (
            "week",
            "America/New_York",
            "2026-03-19T12:00:00",
            ("2026-03-16T04:00:00Z", "2026-03-23T04:00:00Z"),
        ),
        ("week", "UTC", "2026-03-16T00:00:00", ("2026-03-16T00:00:00Z", "2026-03-23T00:00:00Z")),
        # Months on the 1st; just before local midnight of the 1st is still the month before.
        (
            "month",
            "Europe/Paris",
            "2026-01-31T22:59:59",
            ("2025-12-31T23:00:00Z", "2026-01-31T23:00:00Z"),
        ),
        (
            "month",
            "Europe/Paris",
            "2026-01-31T23:00:00",
            ("2026-01-31T23:00:00Z", "2026-02-28T23:00:00Z"),
        ),
        ("month", "UTC", "2026-12-15T00:00:00", ("2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z")),
    ],
)
def test_windows_follow_the_local_calendar(
    period: str, zone: str, now: str, expected: tuple[str, str]
) -> None:
    assert _window(period, zone, now) == expected


async def test_an_orgs_time_zone_sets_its_budget_windows(world: World) -> None:
    org = f"/v1/orgs/{world.org.org_id}"
    for bad in ("Mars/Olympus_Mons", "localtime", "Factory", ""):
        r = await world.api.patch(org, json={"timezone": bad}, headers=world.org.headers)
        assert r.status_code == 422 and r.json()["code"] == "invalid_timezone", bad
    r = await world.api.patch(org, json={"timezone": "Asia/Tokyo"}, headers=world.org.headers)
    assert r.status_code == 200 and r.json()["timezone"] == "Asia/Tokyo"
    await _limits(world, world.alias, token_budget={"limit": 5000, "period": "day"})
    assert (await _chat(world, world.alias, max_tokens=5)).status_code == 200
    r = await world.api.get("/v1/me/entitlements", headers=world.headers)
    budget = r.json()["data"][0]["budgets"]["token_budget"]
    # Tokyo's midnight, in UTC.
    assert budget["window_start"].endswith("T15:00:00Z") and budget["resets_at"].endswith(
        "T15:00:00Z"
    )
    start = datetime.fromisoformat(budget["window_start"].replace("Z", "+00:00"))
    assert (
        start
        <= datetime.now(UTC)
        < datetime.fromisoformat(budget["resets_at"].replace("Z", "+00:00"))
    )
