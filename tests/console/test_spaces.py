"""Spaces in the console: list, create, rename, delete and restore; members and invitations."""

from __future__ import annotations

import re

import httpx

from tests.console.conftest import Browser, hidden
from tests.factories import OrgCtx, invite_and_accept, make_space


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


async def _space(browser: Browser, name: str) -> str:
    page = await browser.get("/console/spaces")
    response = await browser.post(
        "/console/spaces",
        {
            "name": name,
            "description": "about it",
            "idempotency_key": hidden(page.text, "idempotency_key"),
        },
    )
    assert response.status_code == 303
    return response.headers["location"].rsplit("/", 1)[-1]


async def test_the_space_page_renames_the_space(
    browser: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    space_id = await _space(browser, f"Old {unique}")
    page = await browser.get(f"/console/spaces/{space_id}")
    assert page.status_code == 200
    assert f"Old {unique}" in page.text and 'aria-current="page">Overview' in page.text
    response = await browser.post(
        f"/console/spaces/{space_id}", {"name": f"New {unique}", "description": "changed"}
    )
    assert response.status_code == 303
    page = await browser.get(response.headers["location"])
    assert f"Space “New {unique}” saved." in page.text
    got = (await client.get(f"/v1/spaces/{space_id}", headers=org.headers)).json()
    assert got["name"] == f"New {unique}" and got["description"] == "changed"


async def test_a_refused_rename_shows_the_message_and_keeps_the_input(
    browser: Browser, unique: str
) -> None:
    space_id = await _space(browser, f"Keep {unique}")
    response = await browser.post(
        f"/console/spaces/{space_id}", {"name": "", "description": f"typed {unique}"}
    )
    assert response.status_code == 422
    assert f"typed {unique}" in response.text and "at least 1 character" in response.text


async def test_delete_asks_first_then_restore_brings_the_space_back(
    browser: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    space_id = await _space(browser, f"Doomed {unique}")
    confirm = await browser.get(f"/console/spaces/{space_id}/delete")
    assert f"Delete “Doomed {unique}”?" in confirm.text
    # Looking at the confirmation deletes nothing.
    assert (await client.get(f"/v1/spaces/{space_id}", headers=org.headers)).status_code == 200

    response = await browser.post(f"/console/spaces/{space_id}/delete")
    assert response.status_code == 303
    listing = await browser.get(response.headers["location"])
    assert f"Space “Doomed {unique}” deleted." in listing.text
    assert f">Doomed {unique}</a>" not in listing.text
    assert (await browser.get(f"/console/spaces/{space_id}")).status_code == 404

    deleted = await browser.get("/console/spaces/deleted")
    assert f"Doomed {unique}" in deleted.text
    response = await browser.post(f"/console/spaces/{space_id}/restore")
    assert response.status_code == 303
    page = await browser.get(response.headers["location"])
    assert f"Space “Doomed {unique}” restored." in page.text
    assert (await client.get(f"/v1/spaces/{space_id}", headers=org.headers)).status_code == 200
    assert f"Doomed {unique}" not in (await browser.get("/console/spaces/deleted")).text


async def test_restoring_a_live_space_shows_why_not(browser: Browser, unique: str) -> None:
    space_id = await _space(browser, f"Live {unique}")
    response = await browser.post(f"/console/spaces/{space_id}/restore")
    assert response.status_code == 409
    assert "is not deleted" in response.text


async def test_invite_several_people_shows_their_tokens_once(
    browser: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    space_id = await _space(browser, f"Team {unique}")
    page = await browser.get(f"/console/spaces/{space_id}/members")
    assert 'aria-current="page">Members' in page.text
    response = await browser.post(
        f"/console/spaces/{space_id}/invite",
        {
            "emails": f"ana-{unique}@example.com, bo-{unique}@example.com\n",
            "roles": ["trainings:get", "spaces:invite"],
            "role": "designer",
            "idempotency_key": hidden(page.text, "idempotency_key"),
        },
    )
    assert response.status_code == 200
    tokens = re.findall(r'value="(sginv_[^"]+)"', response.text)
    assert len(tokens) == 2
    assert f"ana-{unique}@example.com" in response.text

    members = await browser.get(f"/console/spaces/{space_id}/members")
    assert f"bo-{unique}@example.com" in members.text  # pending
    assert tokens[0] not in members.text  # shown once only

    accepted = await client.post("/v1/users/accept-invite", json={"token": tokens[0]})
    assert accepted.status_code == 200
    members = await browser.get(f"/console/spaces/{space_id}/members")
    rows = members.text.split("Pending invitations")
    assert f"ana-{unique}@example.com" in rows[0]  # now a member, by email
    assert f"ana-{unique}@example.com" not in rows[1]
    assert "spaces:invite" in rows[0] and "trainings:get" in rows[0]


async def test_a_refused_invitation_keeps_the_addresses_and_choices(
    browser: Browser, unique: str
) -> None:
    space_id = await _space(browser, f"Bad {unique}")
    response = await browser.post(
        f"/console/spaces/{space_id}/invite",
        {"emails": f"fine-{unique}@example.com not-an-address", "roles": ["trainings:get"]},
    )
    assert response.status_code == 422
    assert f"fine-{unique}@example.com not-an-address" in response.text
    assert 'value="trainings:get" checked' in response.text
    assert "email" in response.text.lower()


async def test_a_developer_sees_a_space_without_the_owner_controls(
    anonymous: Browser, client: httpx.AsyncClient, org: OrgCtx, unique: str
) -> None:
    space = await make_space(client, org, f"Shared {unique}")
    dev = await invite_and_accept(client, org, space["id"], f"dev-{unique}@example.com", [])
    assert (await anonymous.sign_in(str(dev["api_key"]))).status_code == 303
    listing = await anonymous.get("/console/spaces")
    assert f"Shared {unique}" in listing.text
    assert "New space" not in listing.text and "Deleted spaces" not in listing.text
    page = await anonymous.get(f"/console/spaces/{space['id']}")
    assert page.status_code == 200
    assert "Rename" not in page.text and "Delete space" not in page.text
    members = await anonymous.get(f"/console/spaces/{space['id']}/members")
    assert f"dev-{unique}@example.com" in members.text  # themself
    assert "Invite people" not in members.text and "Pending invitations" not in members.text
    # The API refuses what the page does not offer, and the page says so.
    response = await anonymous.post(f"/console/spaces/{space['id']}/delete")
    assert response.status_code == 403
    assert "spaces:delete" in response.text
