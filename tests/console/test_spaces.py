"""Spaces in the console: the list and the create form (errors shown in place)."""

from __future__ import annotations

from tests.console.conftest import Browser, hidden


async def test_create_a_space_and_see_it_listed(browser: Browser, unique: str) -> None:
    page = await browser.get("/console/spaces")
    key = hidden(page.text, "idempotency_key")
    response = await browser.post(
        "/console/spaces",
        {"name": f"Research {unique}", "description": "d", "idempotency_key": key},
    )
    assert response.status_code == 303
    listing = await browser.get("/console/spaces")
    assert f"Research {unique}" in listing.text
    # The same form sent twice (a double click) makes one space.
    again = await browser.post(
        "/console/spaces",
        {"name": f"Research {unique}", "description": "d", "idempotency_key": key},
    )
    assert again.status_code == 303
    listing = await browser.get("/console/spaces")
    assert listing.text.count(f">Research {unique}</a>") == 1


async def test_a_refused_form_keeps_what_was_typed(browser: Browser, unique: str) -> None:
    response = await browser.post("/console/spaces", {"name": "", "description": f"kept {unique}"})
    assert response.status_code == 422
    assert f"kept {unique}" in response.text
    assert "at least 1 character" in response.text
