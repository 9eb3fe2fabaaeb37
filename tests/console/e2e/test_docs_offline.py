"""The API docs render in a browser that reaches nothing but this server (air-gapped)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, Route, expect

from tests.console.e2e.harness import LAPTOP
from tests.live import LiveServer

#: Swagger UI and ReDoc lay out the whole API document in the browser: slow on a busy machine.
RENDER = 60_000


@pytest.fixture
async def offline(
    chromium: Browser, console_live: LiveServer
) -> AsyncIterator[tuple[Page, list[str]]]:
    """A page whose every request to another host fails as on a cut network; those are listed."""
    context = await chromium.new_context(viewport=LAPTOP, base_url=console_live.url)
    here = urlsplit(console_live.url).netloc
    elsewhere: list[str] = []

    async def cut(route: Route) -> None:
        if urlsplit(route.request.url).netloc == here:
            await route.continue_()
        else:
            elsewhere.append(route.request.url)
            await route.abort("internetdisconnected")

    await context.route("**/*", cut)
    page = await context.new_page()
    yield page, elsewhere
    await context.close()


async def test_swagger_ui_renders_offline(offline: tuple[Page, list[str]]) -> None:
    page, elsewhere = offline
    await page.goto("/docs")
    await expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Spacegate", timeout=RENDER
    )
    await expect(page.get_by_text("Get inference logs").first).to_be_visible(timeout=RENDER)
    assert elsewhere == []


async def test_redoc_renders_offline(offline: tuple[Page, list[str]]) -> None:
    page, elsewhere = offline
    await page.goto("/redoc")
    await expect(page.get_by_role("heading", name="Spacegate", exact=False).first).to_be_visible(
        timeout=RENDER
    )
    await expect(page.get_by_role("heading", name="Get inference logs").first).to_be_visible(
        timeout=RENDER
    )
    assert elsewhere == []


async def test_home_points_to_the_console_and_the_docs(offline: tuple[Page, list[str]]) -> None:
    page, elsewhere = offline
    await page.goto("/")
    await page.get_by_role("link", name="API reference").click()
    await expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Spacegate", timeout=RENDER
    )
    await page.goto("/")
    await page.get_by_role("link", name="Console").click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert elsewhere == []
