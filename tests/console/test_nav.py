"""The main navigation names only the pages the signed-in key may open: Usage needs
``usage:read``, Logs ``inference-logs:list``."""

from __future__ import annotations

import re

import httpx

from tests.console.conftest import Browser
from tests.factories import OrgCtx, make_key

_NAV = re.compile(r'<nav aria-label="Main">(.*?)</nav>', re.S)


def nav_links(page: str) -> list[str]:
    match = _NAV.search(page)
    assert match, "no main navigation"
    return re.findall(r">([^<>]+)</a>", match.group(1))


async def _signed_in_with(
    client: httpx.AsyncClient, anonymous: Browser, org: OrgCtx, *perms: str
) -> Browser:
    key, _ = await make_key(client, org, name="narrow", permissions=["spaces:list", *perms])
    assert (await anonymous.sign_in(key)).status_code == 303
    return anonymous


async def test_the_owner_sees_usage_and_logs(browser: Browser) -> None:
    page = await browser.get("/console/spaces")
    assert nav_links(page.text) == ["Spaces", "Models", "Usage", "Logs", "API keys"]


async def test_usage_without_logs(
    client: httpx.AsyncClient, anonymous: Browser, org: OrgCtx
) -> None:
    browser = await _signed_in_with(client, anonymous, org, "usage:read")
    page = await browser.get("/console/spaces")
    assert "Usage" in nav_links(page.text) and "Logs" not in nav_links(page.text)
    assert (await browser.get("/console/usage")).status_code == 200
    assert (await browser.get("/console/logs")).status_code == 403


async def test_logs_without_usage(
    client: httpx.AsyncClient, anonymous: Browser, org: OrgCtx
) -> None:
    browser = await _signed_in_with(client, anonymous, org, "inference-logs:list")
    page = await browser.get("/console/spaces")
    assert "Logs" in nav_links(page.text) and "Usage" not in nav_links(page.text)
    assert (await browser.get("/console/logs")).status_code == 200
    assert (await browser.get("/console/usage")).status_code == 403
