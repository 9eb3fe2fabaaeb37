"""Signing in and out of the console, and what protects a session."""

from __future__ import annotations

import httpx

from spacegate.console.session import COOKIE
from tests.console.conftest import BASE, Browser, hidden
from tests.factories import OrgCtx, make_key


async def test_pages_send_a_stranger_to_sign_in(anonymous: Browser) -> None:
    response = await anonymous.get("/console/spaces?after=x")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login?next=/console/spaces")


async def test_sign_in_with_a_key_sets_an_http_only_cookie(anonymous: Browser, org: OrgCtx) -> None:
    response = await anonymous.sign_in(org.key)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert f"{COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert org.key not in cookie  # sealed, not readable
    page = await anonymous.get("/console/spaces")
    assert page.status_code == 200
    assert f"owner@{org.name}.example.com" in page.text


async def test_a_wrong_key_is_refused_with_a_message(anonymous: Browser) -> None:
    response = await anonymous.sign_in("sg_not_a_real_key")
    assert response.status_code == 401
    assert "This API key is not valid" in response.text
    assert COOKIE not in response.headers.get("set-cookie", "")


async def test_sign_in_form_from_another_site_is_refused(anonymous: Browser, org: OrgCtx) -> None:
    page = await anonymous.get("/console/login")
    token = hidden(page.text, "login_csrf")
    response = await anonymous.http.post(
        "/console/login",
        data={"api_key": org.key, "login_csrf": token},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert COOKIE not in response.headers.get("set-cookie", "")


async def test_a_form_post_without_the_csrf_token_changes_nothing(browser: Browser) -> None:
    response = await browser.http.post(
        "/console/spaces", data={"name": "forged", "description": ""}, headers={"Origin": BASE}
    )
    assert response.status_code == 403
    listing = await browser.get("/console/spaces")
    assert "forged" not in listing.text


async def test_sign_out_drops_the_session(browser: Browser) -> None:
    response = await browser.post("/console/logout")
    assert response.status_code == 303
    assert (await browser.get("/console/spaces")).status_code == 303


async def test_a_revoked_key_ends_its_console_session(
    anonymous: Browser, client: httpx.AsyncClient, org: OrgCtx
) -> None:
    secret, key = await make_key(client, org, name="console")
    assert (await anonymous.sign_in(secret)).status_code == 303
    revoked = await client.delete(f"/v1/api-keys/{key['id']}", headers=org.headers)
    assert revoked.status_code == 200, revoked.text
    response = await anonymous.get("/console/spaces")
    assert response.status_code == 303
    assert "ended=1" in response.headers["location"]
    page = await anonymous.get(response.headers["location"])
    assert "Your session ended" in page.text


async def test_a_tampered_cookie_is_a_stranger(anonymous: Browser, org: OrgCtx) -> None:
    await anonymous.sign_in(org.key)
    value = anonymous.http.cookies[COOKIE]
    anonymous.http.cookies.set(
        COOKIE, value[:-2] + ("AA" if value[-2:] != "AA" else "BB"), path="/console"
    )
    assert (await anonymous.get("/console/spaces")).status_code == 303
