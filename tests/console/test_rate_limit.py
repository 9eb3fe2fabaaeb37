"""A console page is one request against the org's rate limit, however many API calls it makes in
process: a person clicking quickly through the console does not spend the org's API quota."""

from __future__ import annotations

import re

import httpx

from tests.console.conftest import Browser
from tests.factories import OrgCtx, make_space

_REMAINING = re.compile(r'"org-hour";r=(\d+)')


async def _remaining(client: httpx.AsyncClient, org: OrgCtx) -> int:
    r = await client.get(f"/v1/orgs/{org.org_id}", headers=org.headers)
    assert r.status_code == 200, r.text
    match = _REMAINING.search(r.headers["RateLimit"])
    assert match, r.headers["RateLimit"]
    return int(match.group(1))


async def test_a_fast_click_through_costs_one_request_per_page(
    client: httpx.AsyncClient, browser: Browser, org: OrgCtx
) -> None:
    space = (await make_space(client, org, name="Clicked through"))["id"]
    r = await client.put(
        f"/v1/orgs/{org.org_id}/rate-limit",
        json={"rate_limit": "30/hour"},
        headers=org.headers,
    )
    assert r.status_code == 200, r.text
    pages = [
        "/console/spaces",
        f"/console/spaces/{space}",
        f"/console/spaces/{space}/models",
        f"/console/spaces/{space}/members",
        "/console/models",
        "/console/usage",
        "/console/logs",
        "/console/keys",
    ]
    before = await _remaining(client, org)
    for _ in range(3):  # 24 page views: several API calls each, well over the limit together
        for path in pages:
            page = await browser.get(path)
            assert page.status_code == 200, (path, page.text[:300])
            assert "Rate limit exceeded" not in page.text, path
    after = await _remaining(client, org)
    assert before - after == 3 * len(pages) + 1  # each page once, and the read above

    # Past the limit a page is refused as the API's 429 says, not half-rendered.
    while (await client.get(f"/v1/orgs/{org.org_id}", headers=org.headers)).status_code != 429:
        pass
    refused = await browser.get("/console/usage")
    assert refused.status_code == 429 and "Rate limit exceeded" in refused.text
