"""Inviting people into a space with seed permissions, and redeeming the invitation once."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from spacegate.config import Settings
from spacegate.kit.clock import utcnow
from spacegate.main import create_app
from spacegate.models import Invitation
from spacegate.runtime import Runtime
from tests.factories import OrgCtx, invite_and_accept, make_key, make_space


async def _invite(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    space_id: object,
    email: str,
    roles: list[str],
    role: str = "developer",
) -> httpx.Response:
    return await client.post(
        f"/v1/spaces/{space_id}/invite",
        json={"emails": [email], "roles": roles, "role": role},
        headers=headers,
    )


async def test_invite_accept_gives_a_working_key_scoped_to_the_space(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await make_space(client, org, "team")
    other = await make_space(client, org, "elsewhere")
    r = await _invite(client, org.headers, space["id"], "Dev@Example.com", ["benchmarks:create"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["emails"] == ["dev@example.com"]
    [inv] = body["invitations"]
    assert inv["permissions"] == ["benchmarks:create"] and inv["token"].startswith("sginv_")

    r = await client.post(
        "/v1/users/accept-invite", json={"token": inv["token"], "first_name": "Ada"}
    )
    assert r.status_code == 200, r.text
    accepted = r.json()
    assert accepted["space_id"] == space["id"]
    assert accepted["user"]["email"] == "dev@example.com"
    assert accepted["user"]["role"] == "developer"
    key = accepted["api_key"]
    assert key and key.startswith("sg_")

    me = await client.get("/v1/users/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200, me.text
    [access] = me.json()["spaces"]
    assert access["id"] == space["id"] and "benchmarks:create" in access["permissions"]

    listed = await client.get("/v1/spaces", headers={"X-API-Key": key})
    assert [s["id"] for s in listed.json()["data"]] == [space["id"]]
    r = await client.get(f"/v1/spaces/{other['id']}", headers={"X-API-Key": key})
    assert r.status_code == 404

    members = await client.get(f"/v1/spaces/{space['id']}/members", headers=org.headers)
    assert [m["user_id"] for m in members.json()] == [accepted["user"]["id"]]

    # The token works once.
    again = await client.post("/v1/users/accept-invite", json={"token": inv["token"]})
    assert again.status_code == 410
    assert again.json()["code"] == "invitation_gone"
    assert again.json()["error"] == again.json()["detail"]  # seed 004's {"error": "..."}


async def test_designer_gets_exactly_the_invited_permissions_in_the_space(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await make_space(client, org)
    accepted = await invite_and_accept(
        client, org, space["id"], "d@example.com", ["benchmarks:create"], role="designer"
    )
    me = (await client.get("/v1/users/me", headers={"X-API-Key": str(accepted["api_key"])})).json()
    assert me["role"] == "designer"
    perms = me["spaces"][0]["permissions"]
    assert "benchmarks:create" in perms and "trainings:create" not in perms
    assert "benchmarks:create" not in me["permissions"]  # only in that space


async def test_existing_user_joins_without_a_new_key(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    first = await make_space(client, org, "a")
    second = await make_space(client, org, "b")
    joined = await invite_and_accept(client, org, first["id"], "x@example.com", [])
    again = await invite_and_accept(client, org, second["id"], "x@example.com", ["trainings:get"])
    assert again["api_key"] is None and again["user"] == joined["user"]
    key = str(joined["api_key"])
    listed = (await client.get("/v1/spaces", headers={"X-API-Key": key})).json()
    assert {s["id"] for s in listed["data"]} == {first["id"], second["id"]}


async def test_expired_invitation_is_gone(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx
) -> None:
    space = await make_space(client, org)
    r = await _invite(client, org.headers, space["id"], "late@example.com", [])
    token = r.json()["invitations"][0]["token"]
    async with runtime.write_sessions() as s, s.begin():
        await s.execute(
            update(Invitation)
            .where(Invitation.id == uuid.UUID(r.json()["invitations"][0]["id"]))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    r = await client.post("/v1/users/accept-invite", json={"token": token})
    assert r.status_code == 410 and "expired" in r.json()["detail"]
    me = await client.get(f"/v1/spaces/{space['id']}/members", headers=org.headers)
    assert me.json() == []


async def test_invitation_ttl_comes_from_settings(settings: Settings, org: OrgCtx) -> None:
    short = settings.model_copy(update={"invitation_ttl_hours": 0})
    app: FastAPI = create_app(short)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            space = await make_space(client, org)
            r = await _invite(client, org.headers, space["id"], "zero@example.com", [])
            token = r.json()["invitations"][0]["token"]
            r = await client.post("/v1/users/accept-invite", json={"token": token})
    assert r.status_code == 410


async def test_unknown_token_is_404(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/users/accept-invite", json={"token": "sginv_nope"})
    assert r.status_code == 404 and r.json()["code"] == "invitation_not_found"


async def test_invitation_to_a_deleted_space_cannot_be_accepted(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await make_space(client, org)
    r = await _invite(client, org.headers, space["id"], "gone@example.com", [])
    token = r.json()["invitations"][0]["token"]
    await client.delete(f"/v1/spaces/{space['id']}", headers=org.headers)
    r = await client.post("/v1/users/accept-invite", json={"token": token})
    assert r.status_code == 404


async def test_unknown_permission_is_a_validation_error(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx
) -> None:
    space = await make_space(client, org)
    r = await _invite(client, org.headers, space["id"], "a@example.com", ["rockets:launch"])
    assert r.status_code == 422
    [error] = r.json()["detail"]
    assert error["type"] == "unknown_permission" and error["loc"] == ["body", "roles", 0]
    assert error["input"] == "rockets:launch"
    async with runtime.read_sessions() as s:
        assert (
            await s.scalar(
                select(Invitation.id).where(Invitation.space_id == uuid.UUID(str(space["id"])))
            )
        ) is None


async def test_internal_domains_can_be_invited(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await make_space(client, org)
    emails = ["ada@corp.local", "Bob@Build.Internal", "ops@nas.home.lan"]
    r = await client.post(
        f"/v1/spaces/{space['id']}/invite",
        json={"emails": emails, "roles": []},
        headers=org.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["emails"] == ["ada@corp.local", "bob@build.internal", "ops@nas.home.lan"]
    token = r.json()["invitations"][0]["token"]
    r = await client.post("/v1/users/accept-invite", json={"token": token})
    assert r.status_code == 200, r.text
    assert r.json()["user"]["email"] == "ada@corp.local"


@pytest.mark.parametrize("bad", [["not-an-email"], [], ["a@localhost"], ["a@b..local"]])
async def test_emails_are_validated(client: httpx.AsyncClient, org: OrgCtx, bad: list[str]) -> None:
    space = await make_space(client, org)
    r = await client.post(
        f"/v1/spaces/{space['id']}/invite", json={"emails": bad, "roles": []}, headers=org.headers
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][:2] == ["body", "emails"]


async def test_inviter_cannot_grant_what_it_lacks(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await make_space(client, org)
    # A member who may invite in this space, but holds nothing else beyond the developer role.
    lead = await invite_and_accept(client, org, space["id"], "lead@example.com", ["spaces:invite"])
    lead_headers = {"X-API-Key": str(lead["api_key"])}
    r = await _invite(client, lead_headers, space["id"], "n@example.com", ["spaces:delete"])
    assert r.status_code == 403 and r.json()["code"] == "permission_escalation"
    r = await _invite(client, lead_headers, space["id"], "n@example.com", ["benchmarks:create"])
    assert r.status_code == 200, r.text

    # A restricted key of the owner cannot hand out more than the key itself holds.
    key, _ = await make_key(
        client, org, permissions=["spaces:get", "spaces:invite", "trainings:get"]
    )
    r = await _invite(
        client, {"X-API-Key": key}, space["id"], "m@example.com", ["trainings:create"]
    )
    assert r.status_code == 403
    r = await _invite(client, {"X-API-Key": key}, space["id"], "m@example.com", ["trainings:get"])
    assert r.status_code == 200, r.text


async def test_member_without_invite_permission_is_403(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await make_space(client, org)
    dev = await invite_and_accept(client, org, space["id"], "dev@example.com", [])
    r = await _invite(client, {"X-API-Key": str(dev["api_key"])}, space["id"], "z@example.com", [])
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"


async def test_pending_invitations_are_listed_without_tokens(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await make_space(client, org)
    await _invite(client, org.headers, space["id"], "p@example.com", ["trainings:get"])
    r = await client.get(f"/v1/spaces/{space['id']}/invitations", headers=org.headers)
    assert r.status_code == 200
    [inv] = r.json()
    assert inv["email"] == "p@example.com" and "token" not in inv and "token_hash" not in inv
