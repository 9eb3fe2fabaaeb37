"""The console with the keyboard only: sign in, skip to the content, create a space and reach its
Models tab with Tab, Shift+Tab, Enter and typing; every element that takes the focus shows it."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import Page, expect

from tests.factories import OrgCtx

#: What the focused element is, and whether a person can see that it has the focus.
_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const style = getComputedStyle(e);
  const box = e.getBoundingClientRect();
  return {
    tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute("name"),
    text: (e.innerText || "").trim(), href: e.getAttribute("href"),
    outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
    onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.left < innerWidth,
    inMain: e.closest("main") !== null,
    nav: e.closest("nav") ? e.closest("nav").getAttribute("aria-label") : null,
  };
}"""
#: Tab presses allowed to reach an element before the page counts as not keyboard usable.
MAX_TABS = 40


async def focused(page: Page) -> dict[str, Any]:
    """The focused element; fails unless its focus is visible (an outline, on screen)."""
    element: dict[str, Any] | None = await page.evaluate(_FOCUSED)
    assert element is not None, "nothing has the focus"
    assert element["outline"] != "none" and element["outlineWidth"] > 0, f"no focus ring: {element}"
    assert element["onScreen"], f"the focused element is off screen: {element}"
    return element


async def press(page: Page, key: str) -> dict[str, Any]:
    await page.keyboard.press(key)
    return await focused(page)


async def tab_to(page: Page, **wanted: Any) -> dict[str, Any]:
    """Tab forward until the focused element has every ``wanted`` property."""
    for _ in range(MAX_TABS):
        element = await press(page, "Tab")
        if all(element.get(k) == v for k, v in wanted.items()):
            return element
    raise AssertionError(f"Tab never reached {wanted}")


async def test_sign_in_create_a_space_and_open_its_models_with_the_keyboard(
    page: Page, org: OrgCtx, unique: str
) -> None:
    await page.goto("/console")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    # The key input has the focus already: type the key, Enter signs in.
    assert (await page.evaluate("() => document.activeElement.id")) == "f-api_key"
    await page.keyboard.type(org.key)
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/console/spaces")
    await expect(page.get_by_role("heading", name="Spaces", exact=True)).to_be_visible()

    # The first Tab stop is the skip link, shown when focused; Enter jumps past the header, so
    # the next Tab lands in the content, not on the header's links.
    skip = await press(page, "Tab")
    assert skip["text"] == "Skip to content" and skip["href"] == "#main"
    await page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    first = await press(page, "Tab")
    assert first["inMain"] and first["nav"] != "Main", first

    # The new space form: type, go back with Shift+Tab (nothing lost), go on, submit with Enter.
    await tab_to(page, id="f-name")
    await page.keyboard.type(f"Keyboard {unique}")
    assert (await press(page, "Tab"))["id"] == "f-description"
    back = await press(page, "Shift+Tab")
    assert back["id"] == "f-name"
    await expect(page.locator("#f-name")).to_have_value(f"Keyboard {unique}")
    await press(page, "Tab")
    await page.keyboard.type("Reached without a mouse")
    button = await press(page, "Tab")
    assert button["tag"] == "button" and button["text"] == "Create space"
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Keyboard {unique}")
    await expect(page.get_by_role("status")).to_contain_text(f"Space “Keyboard {unique}” created.")
    assert re.search(r"/console/spaces/[0-9a-f-]{36}$", page.url), page.url

    # The space's tabs: Tab to "Models", Enter opens it.
    models = await tab_to(page, nav="Space", text="Models")
    assert models["href"].endswith("/models")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/console/spaces/[0-9a-f-]{36}/models$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Models in Keyboard {unique}")
    current = page.get_by_role("navigation", name="Space").get_by_role("link", name="Models")
    await expect(current).to_have_attribute("aria-current", "page")
