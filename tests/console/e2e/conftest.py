"""Fixtures for the browser tests: a live Spacegate, a fake model provider, and Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from playwright.async_api import Browser, Page, async_playwright

from spacegate.config import Settings
from tests.console.e2e.harness import LAPTOP, chromium_path, launch
from tests.fakes.provider import FakeProvider
from tests.live import LiveServer


@pytest.fixture(scope="session")
def console_live(settings: Settings) -> Iterator[LiveServer]:
    """Spacegate on a loopback port (allowed to reach the loopback fake provider)."""
    with LiveServer(settings.model_copy(update={"allow_private_networks": True})) as server:
        yield server


@pytest.fixture(scope="session")
def upstream() -> Iterator[FakeProvider]:
    with FakeProvider() as fake:
        yield fake


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Browser]:
    executable = chromium_path()
    async with async_playwright() as playwright:
        browser = await launch(playwright, executable)
        yield browser
        await browser.close()


@pytest.fixture
async def page(chromium: Browser, console_live: LiveServer) -> AsyncIterator[Page]:
    """A fresh browser profile (no cookies) at laptop width."""
    context = await chromium.new_context(viewport=LAPTOP, base_url=console_live.url)
    page = await context.new_page()
    yield page
    await context.close()
