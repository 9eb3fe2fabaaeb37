"""The console at a phone's width: the navigation works and no page scrolls sideways."""

from __future__ import annotations

import httpx
from playwright.async_api import Browser, expect

from tests.console.e2e.harness import PHONE, page_overflows, sign_in
from tests.factories import OrgCtx, make_key
from tests.live import LiveServer


async def test_phone_width_navigation_without_sideways_scroll(
    chromium: Browser, console_live: LiveServer, org: OrgCtx, unique: str
) -> None:
    async with httpx.AsyncClient(base_url=console_live.url) as api:
        r = await api.post(
            "/v1/spaces",
            json={"name": f"Phone {unique}", "description": "a rather long description " * 4},
            headers=org.headers,
        )
        space_id = r.json()["id"]
        await make_key(api, org, name=f"pocket key {unique}", space_id=space_id)
    context = await chromium.new_context(
        viewport=PHONE, base_url=console_live.url, is_mobile=True, has_touch=True
    )
    page = await context.new_page()
    try:
        await sign_in(page, org.key)
        assert not await page_overflows(page), "the spaces list scrolls sideways"
        nav = page.get_by_role("navigation", name="Main")
        await expect(nav.get_by_role("link", name="Spaces")).to_be_visible()

        await nav.get_by_role("link", name="API keys").tap()
        await expect(page.get_by_role("heading", name="API keys")).to_be_visible()
        await expect(page.get_by_text(f"pocket key {unique}")).to_be_visible()
        assert not await page_overflows(page), "the keys page scrolls sideways"

        await page.get_by_role("navigation", name="Main").get_by_role("link", name="Spaces").tap()
        await page.get_by_role("link", name=f"Phone {unique}").tap()
        await expect(page.get_by_role("heading", level=1)).to_have_text(f"Phone {unique}")
        assert not await page_overflows(page), "the space page scrolls sideways"
        await page.get_by_role("navigation", name="Space").get_by_role("link", name="Members").tap()
        await expect(page.get_by_role("heading", name="Invite people")).to_be_visible()
        assert not await page_overflows(page), "the members page scrolls sideways"
        # The form fields fit the screen: none is wider than the viewport.
        widest = await page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('input, textarea, select, button')]"
            ".map(e => e.getBoundingClientRect().right))"
        )
        assert widest <= PHONE["width"]
    finally:
        await context.close()
