"""Seed 004 users: the caller's profile, roles, and granting permissions."""

from __future__ import annotations

import httpx

from tests.factories import OrgCtx, invite_and_accept, make_space

ME_FIELDS = {
    "id",
    "email",
    "external_id",
    "first_name",
    "last_name",
    "role",
    "permissions",
    "spaces",
}


async def _member(
    client: httpx.AsyncClient, org: OrgCtx, email: str, role: str = "developer"
) -> tuple[str, dict[str, str]]:
    space = await make_space(client, org, email)
    accepted = await invite_and_accept(client, org, space["id"], email, [], role=role)
    user = accepted["user"]
    assert isinstance(user, dict)
    return str(user["id"]), {"X-API-Key": str(accepted["api_key"])}


async def _make_admin(client: httpx.AsyncClient, org: OrgCtx, email: str) -> dict[str, str]:
    user_id, headers = await _member(client, org, email)
    r = await client.patch(f"/v1/users/{user_id}", json={"role": "admin"}, headers=org.headers)
    assert r.status_code == 200, r.text
    return headers


async def test_me_has_exactly_the_seed_fields(client: httpx.AsyncClient, org: OrgCtx) -> None:
    await make_space(client, org, "mine")
    r = await client.get("/v1/users/me", headers=org.headers)
    assert r.status_code == 200
    body = r.json()
    # Seed 004's fields, plus org_id: a client needs it to build MechaMental's /v1/orgs/{org_id}
    # paths. Nothing else may appear.
    assert set(body) == ME_FIELDS | {"org_id"}
    assert body["org_id"] == org.org_id
    assert body["id"] == org.user_id and body["role"] == "owner"
    assert body["email"] == f"owner@{org.name}.example.com"
    assert "spaces:create" in body["permissions"]
    assert [s["name"] for s in body["spaces"]] == ["mine"]
    assert set(body["spaces"][0]) == {"id", "name", "permissions"}


async def test_update_me_names(client: httpx.AsyncClient, org: OrgCtx) -> None:
    r = await client.patch(
        "/v1/users/me", json={"first_name": "Grace", "last_name": "Hopper"}, headers=org.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["first_name"] == "Grace" and r.json()["last_name"] == "Hopper"
    me = (await client.get("/v1/users/me", headers=org.headers)).json()
    assert (me["first_name"], me["last_name"]) == ("Grace", "Hopper")


async def test_own_role_cannot_be_changed(client: httpx.AsyncClient, org: OrgCtx) -> None:
    _, dev = await _member(client, org, "dev@example.com")
    r = await client.patch("/v1/users/me", json={"role": "designer"}, headers=dev)
    assert r.status_code == 403 and r.json()["code"] == "role_change_forbidden"
    r = await client.patch("/v1/users/me", json={"role": "admin"}, headers=dev)
    assert r.status_code == 403
    assert (await client.get("/v1/users/me", headers=dev)).json()["role"] == "developer"
    r = await client.patch(f"/v1/users/{org.user_id}", json={"role": "admin"}, headers=org.headers)
    assert r.status_code == 403  # not even an owner, through the admin route
    r = await client.patch("/v1/users/me", json={"role": "nobody"}, headers=dev)
    assert r.status_code == 422


async def test_admin_changes_another_users_role(client: httpx.AsyncClient, org: OrgCtx) -> None:
    admin = await _make_admin(client, org, "admin@example.com")
    dev_id, dev = await _member(client, org, "dev@example.com")
    r = await client.patch(f"/v1/users/{dev_id}", json={"role": "designer"}, headers=admin)
    assert r.status_code == 200 and r.json()["role"] == "designer"
    assert (await client.get("/v1/users/me", headers=dev)).json()["role"] == "designer"
    r = await client.patch(f"/v1/users/{dev_id}", json={"role": "admin"}, headers=dev)
    assert r.status_code == 403


async def test_only_an_owner_grants_or_removes_owner(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    admin = await _make_admin(client, org, "admin@example.com")
    dev_id, _ = await _member(client, org, "dev@example.com")
    r = await client.patch(f"/v1/users/{dev_id}", json={"role": "owner"}, headers=admin)
    assert r.status_code == 403
    r = await client.patch(f"/v1/users/{org.user_id}", json={"role": "admin"}, headers=admin)
    assert r.status_code == 403
    owner = (await client.get("/v1/users/me", headers=org.headers)).json()
    assert owner["role"] == "owner"
    r = await client.patch(f"/v1/users/{dev_id}", json={"role": "owner"}, headers=org.headers)
    assert r.status_code == 200 and r.json()["role"] == "owner"


async def test_add_permissions(client: httpx.AsyncClient, org: OrgCtx) -> None:
    dev_id, dev = await _member(client, org, "dev@example.com")
    r = await client.get("/v1/users", headers=dev)
    assert r.status_code == 403
    r = await client.post(
        f"/v1/users/{dev_id}/permissions", json={"permissions": ["users:list"]}, headers=org.headers
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"permissions": ["users:list"]}
    r = await client.get("/v1/users", headers=dev)
    assert r.status_code == 200 and r.json()["count"] == 2
    assert "users:list" in (await client.get("/v1/users/me", headers=dev)).json()["permissions"]


async def test_add_permissions_is_checked(client: httpx.AsyncClient, org: OrgCtx) -> None:
    dev_id, dev = await _member(client, org, "dev@example.com")
    other_id, _ = await _member(client, org, "other@example.com")
    r = await client.post(
        f"/v1/users/{dev_id}/permissions", json={"permissions": ["nope:nope"]}, headers=org.headers
    )
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "unknown_permission"
    r = await client.post(
        f"/v1/users/{dev_id}/permissions", json={"permissions": []}, headers=org.headers
    )
    assert r.status_code == 422
    r = await client.post(
        f"/v1/users/{other_id}/permissions", json={"permissions": ["users:list"]}, headers=dev
    )
    assert r.status_code == 403
    user = (await client.get(f"/v1/users/{other_id}", headers=org.headers)).json()
    assert user["permissions"] == []


async def test_user_list_and_get(client: httpx.AsyncClient, org: OrgCtx) -> None:
    dev_id, _ = await _member(client, org, "dev@example.com")
    r = await client.get("/v1/users", params={"limit": 1}, headers=org.headers)
    body = r.json()
    assert body["count"] == 1 and body["has_more"] is True
    r = await client.get("/v1/users", params={"after": body["next_cursor"]}, headers=org.headers)
    assert [u["id"] for u in r.json()["data"]] == [dev_id]
    got = (await client.get(f"/v1/users/{dev_id}", headers=org.headers)).json()
    assert got["email"] == "dev@example.com" and "spaces" not in got
