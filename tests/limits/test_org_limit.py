"""Seed 003's per-tenant limit on every API call: 1000/hour with a burst of 100/minute, 429 with
``Retry-After`` and ``{"detail": "Rate limit exceeded. Retry after N seconds."}``, overridable per
org through the API."""

from __future__ import annotations

import asyncio
import re
import time

import httpx

from tests.factories import OrgCtx, make_key

_ITEM = re.compile(r'"([^"]+)";q=(\d+);w=(\d+)')
_STATE = re.compile(r'"([^"]+)";r=(\d+);t=(\d+)')


def _policies(r: httpx.Response) -> dict[str, tuple[int, int]]:
    return {n: (int(q), int(w)) for n, q, w in _ITEM.findall(r.headers["RateLimit-Policy"])}


def _states(r: httpx.Response) -> dict[str, tuple[int, int]]:
    return {n: (int(rem), int(t)) for n, rem, t in _STATE.findall(r.headers["RateLimit"])}


async def _set_limit(client: httpx.AsyncClient, org: OrgCtx, spec: str | None) -> httpx.Response:
    return await client.put(
        f"/v1/orgs/{org.org_id}/rate-limit", json={"rate_limit": spec}, headers=org.headers
    )


async def test_the_default_limit_answers_the_seed_429_exactly(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    path = f"/v1/orgs/{org.org_id}"
    started = time.monotonic()
    answers = [await client.get(path, headers=org.headers) for _ in range(100)]
    while answers[-1].status_code == 200 and len(answers) < 400:
        answers.append(await client.get(path, headers=org.headers))
    elapsed = time.monotonic() - started
    first, refused = answers[0], answers[-1]
    # The bucket starts full (the burst of 100) and refills at 100/minute, nothing more.
    admitted = len(answers) - 1
    assert 100 <= admitted <= 100 + elapsed * 100 / 60 + 1
    assert _policies(first) == {"org-hour": (1000, 3600), "org-minute": (100, 60)}
    assert _states(first)["org-hour"][0] == 999 and _states(first)["org-minute"][0] == 99
    assert _states(answers[-2])["org-hour"][0] == 1000 - admitted

    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert refused.json() == {"detail": f"Rate limit exceeded. Retry after {wait} seconds."}
    # The refusal names the window that tripped, and RateLimit agrees with Retry-After.
    assert _states(refused) == {"org-minute": (0, wait)}
    assert 1 <= wait <= 60


async def test_a_call_sent_after_retry_after_is_admitted(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    assert (await _set_limit(client, org, "3/2s")).status_code == 200
    path = f"/v1/orgs/{org.org_id}"
    statuses = [(await client.get(path, headers=org.headers)).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = await client.get(path, headers=org.headers)
    assert refused.status_code == 429
    await asyncio.sleep(int(refused.headers["Retry-After"]))
    assert (await client.get(path, headers=org.headers)).status_code == 200


async def test_the_override_is_per_org_and_validated(
    client: httpx.AsyncClient, org: OrgCtx, other_org: OrgCtx
) -> None:
    # Another org's limit is not found, never forbidden.
    r = await client.put(
        f"/v1/orgs/{other_org.org_id}/rate-limit", json={"rate_limit": "1/day"}, headers=org.headers
    )
    assert r.status_code == 404
    path = f"/v1/orgs/{org.org_id}"
    for _ in range(2):
        assert (await client.get(path, headers=org.headers)).status_code == 200
    r = await _set_limit(client, org, "5/hour, 2/minute")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "rate_limit": "5/hour,2/minute",
        "is_default": False,
        "windows": [{"limit": 5, "window_seconds": 3600}, {"limit": 2, "window_seconds": 60}],
    }
    # The two calls above, made under the default 100/minute, count against the new 2/minute:
    # changing a limit does not forget what was used.
    refused = await client.get(path, headers=org.headers)
    assert refused.status_code == 429
    assert refused.json() == {
        "detail": f"Rate limit exceeded. Retry after {refused.headers['Retry-After']} seconds."
    }
    # Another org keeps the server default, and its calls do not spend this org's quota.
    other = await client.get(f"/v1/orgs/{other_org.org_id}", headers=other_org.headers)
    assert other.status_code == 200
    assert _policies(other)["org-minute"] == (100, 60)

    for spec in ("lots/forever", "1/99999999999999999days", "1/367days", "1000000001/hour"):
        bad = await _set_limit(client, other_org, spec)
        assert bad.status_code == 422 and bad.json()["code"] == "invalid_rate_limit", spec
    assert (await _set_limit(client, other_org, "1000000000/366days")).status_code == 200


async def test_an_admin_can_always_undo_a_limit_set_too_low(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    """The org limit's own route is not limited: a ``1/day`` does not lock the org out of the
    call that lifts it."""
    assert (await _set_limit(client, org, "1/day")).status_code == 200
    path = f"/v1/orgs/{org.org_id}"
    statuses = [(await client.get(path, headers=org.headers)).status_code for _ in range(2)]
    assert statuses == [200, 429]
    got = await client.get(f"{path}/rate-limit", headers=org.headers)
    assert got.status_code == 200 and got.json()["rate_limit"] == "1/day"
    assert (await _set_limit(client, org, "off")).status_code == 200
    assert (await client.get(path, headers=org.headers)).status_code == 200


async def test_back_to_the_default_and_off(client: httpx.AsyncClient, org: OrgCtx) -> None:
    assert (await _set_limit(client, org, "off")).json()["windows"] == []
    for _ in range(120):  # more than the default burst: no limit at all
        r = await client.get(f"/v1/orgs/{org.org_id}", headers=org.headers)
        assert r.status_code == 200 and "RateLimit" not in r.headers
    r = await _set_limit(client, org, None)
    assert r.json()["is_default"] is True and r.json()["rate_limit"] == "1000/hour,100/minute"


async def test_unauthenticated_and_bad_keys_spend_nothing(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    assert (await _set_limit(client, org, "2/minute")).status_code == 200
    for _ in range(5):
        r = await client.get(f"/v1/orgs/{org.org_id}", headers={"Authorization": "Bearer sg_nope"})
        assert r.status_code == 401
    assert (await client.get(f"/v1/orgs/{org.org_id}", headers=org.headers)).status_code == 200


async def test_only_org_admins_change_the_limit(client: httpx.AsyncClient, org: OrgCtx) -> None:
    key, _ = await make_key(client, org, permissions=["orgs:get"])
    r = await client.put(
        f"/v1/orgs/{org.org_id}/rate-limit",
        json={"rate_limit": "1/day"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert r.status_code == 403
