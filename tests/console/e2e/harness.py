"""A real headless Chromium (Debian's ``chromium``, driven by Playwright) against a real server.

Playwright's own browser download does not work here: the system Chromium is launched by path,
with the switches that keep it from reaching for the network at start-up.
"""

from __future__ import annotations

import os
import shutil

import pytest
from playwright.async_api import Browser, Page, Playwright, ViewportSize

#: Where Debian's ``chromium`` package puts the browser (``SPACEGATE_CHROMIUM`` overrides).
CHROMIUM = os.environ.get("SPACEGATE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP: ViewportSize = {"width": 1366, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


def chromium_path() -> str:
    """The browser to drive; skip without one, but fail in CI (``.ci/run`` installs it)."""
    if os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    message = f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must run the browser tests: {message}")
    pytest.skip(message)


async def launch(playwright: Playwright, executable: str) -> Browser:
    return await playwright.chromium.launch(executable_path=executable, args=ARGS)


async def sign_in(page: Page, key: str) -> None:
    """Through the sign-in form, as a person would."""
    await page.goto("/console")
    await page.get_by_label("API key").fill(key)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/console/spaces")


async def page_overflows(page: Page) -> bool:
    """Whether the page body scrolls sideways (wider than the viewport)."""
    return bool(
        await page.evaluate(
            "() => document.documentElement.scrollWidth > window.innerWidth"
            " || document.body.scrollWidth > window.innerWidth"
        )
    )
