"""API keys in the console: create (the secret shown once), list, revoke after a confirmation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx

from spacegate.console.session import COOKIE
from tests.console.conftest import Browser, hidden
from tests.factories import OrgCtx, invite_and_accept, make_key, make_space

_SECRET = re.compile(r'id="secret" value="(sg_[^"]+)"')


async def _create(browser: Browser, **fields: str) -> httpx.Response:
    page = await browser.get("/console/keys")
    key = hidden(page.text, "idempotency_key")
    return await browser.post("/console/keys", {"idempotency_key": key, **fields})


async def test_a_new_key_is_shown_once_and_listed_by_its_prefix(
    browser: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    space = await make_space(client, org, f"Bound {unique}")
    expiry = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    response = await _create(
        browser, name=f"CI {unique}", space_id=str(space["id"]), expires_at=expiry, rpm="60"
    )
    assert response.status_code == 201
    secret = _SECRET.search(response.text)
    assert secret, response.text
    key = secret.group(1)
    assert "shown only once" in response.text and "Copy" in response.text
    assert f"Bound {unique}" in response.text and "rpm 60" in response.text

    # The key works, is bound to the space, expires that day and carries its limit.
    me = await client.get("/v1/api-keys", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200
    listed = {k["name"]: k for k in me.json()["data"]}
    made = listed[f"CI {unique}"]
    assert made["space_id"] == space["id"] and made["expires_at"].startswith(expiry)
    limits = await client.get(f"/v1/api-keys/{made['id']}/limits", headers=org.headers)
    assert limits.json()["rpm"] == 60

    page = await browser.get("/console/keys")
    assert f"CI {unique}" in page.text and made["prefix"] in page.text
    assert key not in page.text  # never again
    assert f">Bound {unique}</a>" in page.text and expiry in page.text


async def test_a_refused_key_form_keeps_what_was_typed(browser: Browser, unique: str) -> None:
    response = await _create(browser, name=f"typed {unique}", rpm="0", expires_at="someday")
    assert response.status_code == 422
    assert f"typed {unique}" in response.text
    assert "at least 1" in response.text and "YYYY-MM-DD" in response.text
    assert f"typed {unique}" not in (await browser.get("/console/keys")).text.split("<form")[0]

    past = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    response = await _create(browser, name=f"late {unique}", expires_at=past)
    assert response.status_code == 422
    assert "expires_at must be in the future" in response.text
    assert past in response.text


async def test_revoke_asks_first_then_the_key_stops_working(
    browser: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    key, made = await make_key(client, org, name=f"old {unique}")
    confirm = await browser.get(f"/console/keys/{made['id']}/revoke")
    assert f"Revoke “old {unique}”?" in confirm.text
    assert "signs you out" not in confirm.text
    assert (await client.get("/v1/users/me", headers={"X-API-Key": key})).status_code == 200

    response = await browser.post(f"/console/keys/{made['id']}/revoke")
    assert response.status_code == 303 and response.headers["location"] == "/console/keys"
    page = await browser.get("/console/keys")
    assert f"API key “old {unique}” revoked." in page.text
    assert "revoked</span>" in page.text
    assert (await client.get("/v1/users/me", headers={"X-API-Key": key})).status_code == 401


async def test_revoking_the_session_key_signs_the_browser_out(
    anonymous: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    key, made = await make_key(client, org, name=f"mine {unique}")
    assert (await anonymous.sign_in(key)).status_code == 303
    page = await anonymous.get("/console/keys")
    assert "this session" in page.text
    confirm = await anonymous.get(f"/console/keys/{made['id']}/revoke")
    assert "signs you out" in confirm.text
    response = await anonymous.post(f"/console/keys/{made['id']}/revoke")
    assert response.status_code == 303 and response.headers["location"] == "/console/login"
    assert f'{COOKIE}=""' in response.headers["set-cookie"]
    login = await anonymous.get("/console/login")
    assert "you are signed out" in login.text
    assert (await anonymous.get("/console/keys")).status_code == 303


async def test_a_developer_sees_only_their_keys_and_no_limits(
    anonymous: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    await make_key(client, org, name=f"owner-key {unique}")
    space = await make_space(client, org)
    dev = await invite_and_accept(client, org, space["id"], f"d-{unique}@example.com", [])
    assert (await anonymous.sign_in(str(dev["api_key"]))).status_code == 303
    page = await anonymous.get("/console/keys")
    assert f"owner-key {unique}" not in page.text
    assert "New API key" in page.text and "Requests per minute" not in page.text
    response = await _create(anonymous, name=f"dev-made {unique}")
    assert response.status_code == 201
    assert f"dev-made {unique}" in (await anonymous.get("/console/keys")).text
