"""``GET /v1/spaces?deleted=true``: the soft-deleted spaces, to find one to restore."""

from __future__ import annotations

import httpx

from tests.factories import OrgCtx, invite_and_accept, make_space


async def _ids(client: httpx.AsyncClient, org: OrgCtx, **params: str) -> list[str]:
    r = await client.get("/v1/spaces", params=params, headers=org.headers)
    assert r.status_code == 200, r.text
    return [str(s["id"]) for s in r.json()["data"]]


async def test_deleted_spaces_are_listed_apart_until_restored(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    kept = await make_space(client, org, "kept")
    gone = await make_space(client, org, "gone")
    assert (await client.delete(f"/v1/spaces/{gone['id']}", headers=org.headers)).is_success

    assert await _ids(client, org) == [kept["id"]]
    r = await client.get("/v1/spaces", params={"deleted": "true"}, headers=org.headers)
    body = r.json()
    assert [s["id"] for s in body["data"]] == [gone["id"]]
    assert body["data"][0]["name"] == "gone"  # the same shape as a live space
    assert set(body) >= {"data", "has_more"}

    assert (await client.post(f"/v1/spaces/{gone['id']}/restore", headers=org.headers)).is_success
    assert await _ids(client, org, deleted="true") == []
    assert sorted(await _ids(client, org)) == sorted([str(kept["id"]), str(gone["id"])])


async def test_deleted_listing_pages_and_keeps_cursors_apart(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    for i in range(3):
        space = await make_space(client, org, f"old-{i}")
        await client.delete(f"/v1/spaces/{space['id']}", headers=org.headers)
    first = await client.get(
        "/v1/spaces", params={"deleted": "true", "limit": 2}, headers=org.headers
    )
    page = first.json()
    assert len(page["data"]) == 2 and page["has_more"] is True
    rest = await client.get(
        "/v1/spaces",
        params={"deleted": "true", "limit": 2, "after": page["next_cursor"]},
        headers=org.headers,
    )
    assert len(rest.json()["data"]) == 1
    # A cursor from the deleted listing does not page the live one.
    live = await client.get(
        "/v1/spaces", params={"after": page["next_cursor"]}, headers=org.headers
    )
    assert live.status_code == 400


async def test_members_see_only_their_own_deleted_spaces(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    mine = await make_space(client, org, "mine")
    other = await make_space(client, org, "other")
    dev = await invite_and_accept(client, org, mine["id"], "dev@example.com", [])
    for space in (mine, other):
        await client.delete(f"/v1/spaces/{space['id']}", headers=org.headers)
    headers = {"Authorization": f"Bearer {dev['api_key']}"}
    r = await client.get("/v1/spaces", params={"deleted": "true"}, headers=headers)
    assert [s["id"] for s in r.json()["data"]] == [mine["id"]]
