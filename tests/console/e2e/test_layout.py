"""The console fits its screen: at 1366 px a space's models table shows its action buttons
without a sideways scroll; at phone width API keys (Revoke included) and the log fit; a log's
details read as labels and values."""

from __future__ import annotations

import httpx
from playwright.async_api import Browser, Locator, Page, expect

from tests.console.e2e.harness import LAPTOP, PHONE, page_overflows, sign_in
from tests.factories import OrgCtx, make_key, make_space
from tests.fakes.provider import FakeProvider
from tests.live import LiveServer


async def _fits(page: Page, locator: Locator) -> bool:
    """Whether the element lies within the viewport's width, and its card does not scroll."""
    box = await locator.bounding_box()
    assert box is not None
    width = await page.evaluate("() => window.innerWidth")
    scrolls = await locator.evaluate(
        "el => { const c = el.closest('.card'); return !!c && c.scrollWidth > c.clientWidth + 1 }"
    )
    return box["x"] >= 0 and box["x"] + box["width"] <= width and not scrolls


async def _seed(live: LiveServer, upstream: FakeProvider, org: OrgCtx, unique: str) -> str:
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as api:
        space = str((await make_space(api, org, f"Layout {unique}"))["id"])
        provider = await api.post(
            "/v1/providers",
            json={
                "name": f"fake-{unique}",
                "type": "openai",
                "base_url": f"{upstream.url}/v1",
                "api_key": "sk-proj-layoutE2EKEY0123456789abcdef",
            },
            headers=org.headers,
        )
        assert provider.status_code == 201, provider.text
        for n in range(2):
            model = await api.post(
                "/v1/tenant-models",
                json={
                    "alias": f"layout-model-{n}-{unique}",
                    "provider_id": provider.json()["id"],
                    "upstream_model": "fake-model",
                    "input_price_per_mtok": "1.25",
                },
                headers=org.headers,
            )
            assert model.status_code == 201, model.text
            grant = await api.post(
                f"/api-proxy/v1/spaces/{space}/models",
                json={"tenant_model_id": model.json()["tenant_model_id"], "is_enabled": True},
                headers={**org.headers, "Idempotency-Key": f"layout-{n}-{unique}"},
            )
            assert grant.status_code == 201, grant.text
            limits = await api.patch(
                f"/v1/orgs/{org.org_id}/workspaces/{space}/model-entitlements/layout-model-{n}-{unique}",
                json={
                    "workspace_limits": {
                        "rpm": 60,
                        "token_budget": {"limit": 100000, "period": "month"},
                    }
                },
                headers=org.headers,
            )
            assert limits.status_code == 200, limits.text
        await make_key(api, org, name=f"a key with a long name {unique}", space_id=space)
        r = await api.post(
            "/v1/chat/completions",
            json={
                "model": f"layout-model-0-{unique}",
                "messages": [{"role": "user", "content": "hi"}],
            },
            headers={**org.headers, "X-Space-Id": space},
        )
        assert r.status_code == 200, r.text
        for _ in range(100):
            logs = await api.get(
                "/v1/inference-logs", params={"space_id": space}, headers=org.headers
            )
            if logs.json()["count"]:
                break
    return space


async def test_laptop_and_phone_layouts(
    chromium: Browser, console_live: LiveServer, upstream: FakeProvider, org: OrgCtx, unique: str
) -> None:
    space = await _seed(console_live, upstream, org, unique)
    laptop = await chromium.new_context(viewport=LAPTOP, base_url=console_live.url)
    page = await laptop.new_page()
    try:
        await sign_in(page, org.key)
        await page.goto(f"/console/spaces/{space}/models")
        remove = page.get_by_role("button", name=f"Remove layout-model-1-{unique}")
        await expect(remove).to_be_visible()
        assert await _fits(page, remove), "the models table scrolls its actions out of sight"
        assert not await page_overflows(page)

        await page.goto("/console/logs")
        await page.get_by_role("row").filter(has_text=unique).get_by_text("Show").click()
        details = page.locator(".log-details[open]")
        await expect(details).to_contain_text("Usage estimated")
        text = await details.inner_text()
        assert "True" not in text and "False" not in text
        assert " ms" in text and "Spacegate overhead" in text
    finally:
        await laptop.close()

    phone = await chromium.new_context(
        viewport=PHONE, base_url=console_live.url, is_mobile=True, has_touch=True
    )
    page = await phone.new_page()
    try:
        await sign_in(page, org.key)
        await page.goto("/console/keys")
        revoke = page.get_by_role("link", name=f"Revoke a key with a long name {unique}")
        await expect(revoke).to_be_visible()
        assert await _fits(page, revoke), "Revoke is off-screen at phone width"
        assert not await page_overflows(page)

        await page.goto("/console/logs")
        row = page.get_by_role("row").filter(has_text=unique).first
        for cell in ("Tokens", "Latency ms", "Status"):
            assert await _fits(page, row.locator(f'td[data-label="{cell}"]')), cell
        assert not await page_overflows(page)
    finally:
        await phone.close()
