"""API keys: shown once, never wider than their creator, space binding, revocation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx

from tests.factories import OrgCtx, invite_and_accept, make_key, make_space

READ_FIELDS = {
    "id",
    "name",
    "prefix",
    "user_id",
    "space_id",
    "permissions",
    "created_at",
    "last_used_at",
    "expires_at",
    "revoked_at",
}


async def test_key_is_shown_once(client: httpx.AsyncClient, org: OrgCtx) -> None:
    r = await client.post("/v1/api-keys", json={"name": "ci"}, headers=org.headers)
    assert r.status_code == 201, r.text
    created = r.json()
    assert set(created) == READ_FIELDS | {"key"}
    key = created["key"]
    assert created["prefix"] == f"{key[:7]}…{key[-4:]}"
    listed = await client.get("/v1/api-keys", headers=org.headers)
    got = await client.get(f"/v1/api-keys/{created['id']}", headers=org.headers)
    for text, body in ((listed.text, listed.json()["data"]), (got.text, [got.json()])):
        assert key not in text and key[7:-4] not in text
        assert all(set(item) == READ_FIELDS for item in body)
        assert "hash" not in text
    assert (await client.get("/v1/users/me", headers={"X-API-Key": key})).status_code == 200


async def test_space_bound_key_sees_only_its_space(client: httpx.AsyncClient, org: OrgCtx) -> None:
    mine = await make_space(client, org, "mine")
    sibling = await make_space(client, org, "sibling")
    key, body = await make_key(client, org, space_id=mine["id"])
    assert body["space_id"] == mine["id"]
    h = {"X-API-Key": key}
    listed = (await client.get("/v1/spaces", headers=h)).json()
    assert [s["id"] for s in listed["data"]] == [mine["id"]]
    assert (await client.get(f"/v1/spaces/{mine['id']}", headers=h)).status_code == 200
    for method, suffix in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("GET", "/members")):
        r = await client.request(
            method,
            f"/v1/spaces/{sibling['id']}{suffix}",
            headers=h,
            json={"name": "x"} if method == "PATCH" else None,
        )
        assert r.status_code == 404, (method, suffix, r.text)
    assert (await client.get(f"/v1/spaces/{sibling['id']}", headers=org.headers)).json()[
        "name"
    ] == "sibling"
    # Keys it makes stay in its space.
    r = await client.post("/v1/api-keys", json={"space_id": sibling["id"]}, headers=h)
    assert r.status_code == 404
    r = await client.post("/v1/api-keys", json={}, headers=h)
    assert r.status_code == 201 and r.json()["space_id"] == mine["id"]
    assert (
        await client.post("/v1/spaces", json={"name": "n", "description": ""}, headers=h)
    ).status_code == 403


async def test_key_cannot_exceed_its_creator(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await make_space(client, org)
    dev = await invite_and_accept(client, org, space["id"], "dev@example.com", [])
    h = {"X-API-Key": str(dev["api_key"])}
    r = await client.post("/v1/api-keys", json={"permissions": ["spaces:delete"]}, headers=h)
    assert r.status_code == 403 and r.json()["code"] == "permission_escalation"
    r = await client.post("/v1/api-keys", json={"permissions": ["spaces:get"]}, headers=h)
    assert r.status_code == 201
    r = await client.post("/v1/api-keys", json={"permissions": ["x:y"]}, headers=h)
    assert r.status_code == 422


async def test_restricted_key_cannot_mint_a_wider_key(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    narrow, _ = await make_key(
        client, org, permissions=["api-keys:create", "spaces:list", "spaces:get"]
    )
    h = {"X-API-Key": narrow}
    r = await client.post("/v1/api-keys", json={"permissions": ["spaces:create"]}, headers=h)
    assert r.status_code == 403
    r = await client.post("/v1/api-keys", json={}, headers=h)
    assert r.status_code == 201
    child = r.json()
    assert sorted(child["permissions"]) == ["api-keys:create", "spaces:get", "spaces:list"]
    r = await client.post(
        "/v1/spaces", json={"name": "n", "description": ""}, headers={"X-API-Key": child["key"]}
    )
    assert r.status_code == 403
    # A key without api-keys:create makes no keys at all.
    bare, _ = await make_key(client, org, permissions=["spaces:list"])
    r = await client.post("/v1/api-keys", json={}, headers={"X-API-Key": bare})
    assert r.status_code == 403


async def test_revoke_stops_the_key_immediately(client: httpx.AsyncClient, org: OrgCtx) -> None:
    key, body = await make_key(client, org)
    h = {"Authorization": f"Bearer {key}"}
    assert (await client.get("/v1/spaces", headers=h)).status_code == 200
    r = await client.delete(f"/v1/api-keys/{body['id']}", headers=org.headers)
    assert r.status_code == 200 and r.json()["revoked_at"] is not None
    assert (await client.get("/v1/spaces", headers=h)).status_code == 401
    again = await client.delete(f"/v1/api-keys/{body['id']}", headers=org.headers)
    assert again.status_code == 200 and again.json()["revoked_at"] == r.json()["revoked_at"]


async def test_list_shows_own_keys_and_admins_see_all(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await make_space(client, org)
    dev = await invite_and_accept(client, org, space["id"], "dev@example.com", [])
    dev_h = {"X-API-Key": str(dev["api_key"])}
    _, owner_extra = await make_key(client, org)
    listed = (await client.get("/v1/api-keys", headers=dev_h)).json()
    assert [k["id"] for k in listed["data"]] == [dev["api_key_id"]]
    r = await client.get(f"/v1/api-keys/{owner_extra['id']}", headers=dev_h)
    assert r.status_code == 404
    r = await client.delete(f"/v1/api-keys/{owner_extra['id']}", headers=dev_h)
    assert r.status_code == 404
    everything = (
        await client.get("/v1/api-keys", params={"limit": 100}, headers=org.headers)
    ).json()
    ids = {k["id"] for k in everything["data"]}
    assert {dev["api_key_id"], owner_extra["id"]} <= ids and everything["count"] == 3
    r = await client.get(f"/v1/api-keys/{dev['api_key_id']}", headers=org.headers)
    assert r.status_code == 200


async def test_expiry(client: httpx.AsyncClient, org: OrgCtx) -> None:
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    r = await client.post("/v1/api-keys", json={"expires_at": past}, headers=org.headers)
    assert r.status_code == 422 and r.json()["code"] == "invalid_expiry"
    naive_future = (datetime.now(UTC) + timedelta(days=1)).replace(tzinfo=None).isoformat()
    r = await client.post("/v1/api-keys", json={"expires_at": naive_future}, headers=org.headers)
    assert r.status_code == 201, r.text
    assert r.json()["expires_at"].endswith("Z")


async def test_unknown_fields_are_refused(client: httpx.AsyncClient, org: OrgCtx) -> None:
    body = {"name": "k", "user_id": org.user_id}
    r = await client.post(
        "/v1/api-keys",
        content=json.dumps(body),
        headers={**org.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "extra_forbidden"
