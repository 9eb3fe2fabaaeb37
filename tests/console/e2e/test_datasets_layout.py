"""A dataset's page fits its screen at 1366 px and at a phone's width: its documents (with
their status and Remove button), the upload form and the search results with their scores."""

from __future__ import annotations

import asyncio

import httpx
from playwright.async_api import Browser, Page, expect

from tests.console.e2e.harness import LAPTOP, PHONE, page_overflows, sign_in
from tests.console.e2e.test_layout import _fits
from tests.factories import OrgCtx, make_space
from tests.live import LiveServer

TEXT = (
    "Annual leave: every employee takes twenty five holiday days each year. "
    "Parental leave follows the statutory rules; sick days need a doctor's note after three. "
) * 20


async def _seed(live: LiveServer, org: OrgCtx, unique: str) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as api:
        space = str((await make_space(api, org, f"Datasets {unique}"))["id"])
        here = {**org.headers, "X-Space-Id": space}
        name = f"staff-handbook-and-every-policy-{unique}"
        r = await api.post(
            "/api/v1/datasets/",
            json={"name": name, "dtype": "local_file", "configuration": {"chunk_size": 48}},
            headers=here,
        )
        assert r.status_code == 201, r.text
        dataset_id = r.json()["id"]
        filename = f"leave-and-holidays-policy-for-all-employees-{unique}.txt"
        r = await api.post(
            f"/api/v1/datasets/{name}/documents",
            files={"file": (filename, TEXT.encode())},
            headers=here,
        )
        assert r.status_code == 201, r.text
        for _ in range(400):
            r = await api.get(f"/api/v1/ingestion/datasets/{dataset_id}/status", headers=here)
            if r.json()["status"] == "ready":
                break
            await asyncio.sleep(0.05)
        assert r.json()["status"] == "ready", r.text
    return space, name


async def _search(page: Page) -> None:
    await page.get_by_label("Query").fill("holiday days")
    await page.get_by_role("button", name="Search").click()
    await expect(page.locator("ol.hits li").first).to_be_visible()


async def test_dataset_page_fits_laptop_and_phone(
    chromium: Browser, console_live: LiveServer, org: OrgCtx, unique: str
) -> None:
    space, name = await _seed(console_live, org, unique)
    path = f"/console/spaces/{space}/datasets/{name}"
    for viewport, mobile in ((LAPTOP, False), (PHONE, True)):
        context = await chromium.new_context(
            viewport=viewport, base_url=console_live.url, is_mobile=mobile, has_touch=mobile
        )
        page = await context.new_page()
        try:
            await sign_in(page, org.key)
            await page.goto(f"/console/spaces/{space}/datasets")
            await expect(page.get_by_role("link", name=name)).to_be_visible()
            assert not await page_overflows(page), f"the datasets list scrolls at {viewport}"
            await page.goto(path)
            remove = page.get_by_role("button", name="Remove")
            await expect(remove).to_be_visible()
            assert await _fits(page, remove), f"Remove is out of sight at {viewport}"
            assert await _fits(page, page.locator(".documents .badge").first)
            assert not await page_overflows(page), f"the dataset page scrolls at {viewport}"
            await _search(page)
            score = page.locator("ol.hits .badge").first
            assert await _fits(page, score), f"a hit's score is out of sight at {viewport}"
            assert not await page_overflows(page), f"the search results scroll at {viewport}"
            widest = await page.evaluate(
                "() => Math.max(...[...document.querySelectorAll('input, select, button')]"
                ".map(e => e.getBoundingClientRect().right))"
            )
            assert widest <= viewport["width"]
        finally:
            await context.close()
