"""The shared plain-resource mechanism, through its first resource (seed 004 action groups):
the caller's space, seed shapes, paging by cursor or by the last item's id, 404 / 409 / 422."""

from __future__ import annotations

import uuid

import httpx

from tests.factories import OrgCtx, make_key, make_space

BASE = "/v1/action-groups"


async def _space(client: httpx.AsyncClient, org: OrgCtx) -> dict[str, str]:
    space = await make_space(client, org, "copilot")
    return {**org.headers, "X-Space-Id": str(space["id"])}


async def test_crud_in_the_seed_shapes(client: httpx.AsyncClient, org: OrgCtx) -> None:
    h = await _space(client, org)
    r = await client.post(
        BASE, json={"name": "Retention", "description": "Keep clients"}, headers=h
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert set(made) == {"id", "name", "description", "created_at", "updated_at"}
    assert made["created_at"].endswith("Z")

    r = await client.patch(f"{BASE}/{made['id']}", json={"name": "Loyalty"}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Loyalty"
    assert r.json()["description"] == "Keep clients"

    got = (await client.get(f"{BASE}/{made['id']}", headers=h)).json()
    assert got["name"] == "Loyalty"

    r = await client.delete(f"{BASE}/{made['id']}", headers=h)
    assert r.status_code == 200
    assert r.json() == {"id": made["id"]}
    r = await client.get(f"{BASE}/{made['id']}", headers=h)
    assert r.status_code == 404
    assert r.json()["detail"] == f"Action group '{made['id']}' not found"
    assert r.json()["code"] == "action_group_not_found"


async def test_pages_follow_a_cursor_or_the_last_items_id(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    h = await _space(client, org)
    ids = []
    for i in range(5):
        r = await client.post(BASE, json={"name": f"g{i}", "description": ""}, headers=h)
        ids.append(r.json()["id"])
    first = (await client.get(BASE, params={"limit": 2}, headers=h)).json()
    assert [g["id"] for g in first["data"]] == ids[:2]
    assert first["count"] == 2
    assert first["has_more"] is True
    by_cursor = (
        await client.get(BASE, params={"limit": 2, "after": first["next_cursor"]}, headers=h)
    ).json()
    by_id = (await client.get(BASE, params={"limit": 2, "after": ids[1]}, headers=h)).json()
    assert [g["id"] for g in by_cursor["data"]] == ids[2:4] == [g["id"] for g in by_id["data"]]
    last = (await client.get(BASE, params={"limit": 2, "after": ids[3]}, headers=h)).json()
    assert [g["id"] for g in last["data"]] == ids[4:]
    assert last["has_more"] is False
    assert last["next_cursor"] is None
    # The seed documents after's default as "" (an empty string): the first page.
    assert (await client.get(BASE, params={"after": ""}, headers=h)).json()["count"] == 5


async def test_after_naming_no_item_of_the_list_is_a_400(
    client: httpx.AsyncClient, org: OrgCtx, other_org: OrgCtx
) -> None:
    h = await _space(client, org)
    theirs = await _space(client, other_org)
    r = await client.post(BASE, json={"name": "theirs", "description": ""}, headers=theirs)
    foreign = r.json()["id"]
    for after in (foreign, str(uuid.uuid4()), "garbage!"):
        r = await client.get(BASE, params={"after": after}, headers=h)
        assert r.status_code == 400, (after, r.text)
        assert "after" in r.json()["detail"].lower() or r.json()["code"] == "invalid_cursor"


async def test_a_resource_lives_in_one_space(client: httpx.AsyncClient, org: OrgCtx) -> None:
    a = await _space(client, org)
    b = await _space(client, org)
    made = (await client.post(BASE, json={"name": "a", "description": ""}, headers=a)).json()
    assert (await client.get(f"{BASE}/{made['id']}", headers=b)).status_code == 404
    assert (await client.get(BASE, headers=b)).json()["count"] == 0
    r = await client.patch(f"{BASE}/{made['id']}", json={"name": "x"}, headers=b)
    assert r.status_code == 404
    assert (await client.get(f"{BASE}/{made['id']}", headers=a)).json()["name"] == "a"


async def test_which_space_is_said_clearly(client: httpx.AsyncClient, org: OrgCtx) -> None:
    r = await client.get(BASE, headers=org.headers)
    assert r.status_code == 400
    assert r.json()["code"] == "space_required"
    assert "X-Space-Id" in r.json()["detail"]
    r = await client.get(BASE, headers={**org.headers, "X-Space-Id": "not-a-uuid"})
    assert (r.status_code, r.json()["code"]) == (400, "invalid_space_id")
    r = await client.get(BASE, headers={**org.headers, "X-Space-Id": str(uuid.uuid4())})
    assert (r.status_code, r.json()["code"]) == (404, "space_not_found")


async def test_a_key_bound_to_a_space_needs_no_header(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await make_space(client, org, "bound")
    other = await make_space(client, org, "other")
    key, _ = await make_key(client, org, space_id=space["id"])
    h = {"X-API-Key": key}
    r = await client.post(BASE, json={"name": "mine", "description": ""}, headers=h)
    assert r.status_code == 201, r.text
    listed = await client.get(BASE, headers={**org.headers, "X-Space-Id": str(space["id"])})
    assert [g["name"] for g in listed.json()["data"]] == ["mine"]
    r = await client.get(BASE, headers={**h, "X-Space-Id": str(other["id"])})
    assert (r.status_code, r.json()["code"]) == (403, "space_mismatch")


async def test_bad_input_names_the_field(client: httpx.AsyncClient, org: OrgCtx) -> None:
    h = await _space(client, org)
    r = await client.post(BASE, json={"name": "x"}, headers=h)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "description"]
    r = await client.post(BASE, json={"name": "x", "description": "", "id": "mine"}, headers=h)
    assert r.status_code == 422
    made = (await client.post(BASE, json={"name": "x", "description": ""}, headers=h)).json()
    r = await client.patch(f"{BASE}/{made['id']}", json={"name": None}, headers=h)
    assert r.status_code == 422
    assert "name" in r.text
    r = await client.get(f"{BASE}/not-a-uuid", headers=h)
    assert r.status_code == 422
    r = await client.get(BASE, params={"limit": 0}, headers=h)
    assert r.status_code == 422


async def test_changes_are_audited(client: httpx.AsyncClient, org: OrgCtx) -> None:
    h = await _space(client, org)
    made = (await client.post(BASE, json={"name": "x", "description": ""}, headers=h)).json()
    await client.delete(f"{BASE}/{made['id']}", headers=h)
    r = await client.get("/v1/audit-logs", params={"limit": 100}, headers=org.headers)
    mine = [e for e in r.json()["data"] if e.get("resource_id") == made["id"]]
    assert [e["action"] for e in mine] == ["create", "delete"]


async def test_a_replayed_post_creates_one_item(client: httpx.AsyncClient, org: OrgCtx) -> None:
    h = {**(await _space(client, org)), "Idempotency-Key": str(uuid.uuid4())}
    body = {"name": "once", "description": ""}
    first = await client.post(BASE, json=body, headers=h)
    again = await client.post(BASE, json=body, headers=h)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    h.pop("Idempotency-Key")
    assert (await client.get(BASE, headers=h)).json()["count"] == 1
