"""Seed 004 spaces: create, read, page, update, soft delete and restore."""

from __future__ import annotations

import base64
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from spacegate.models import Space
from spacegate.runtime import Runtime
from tests.factories import OrgCtx, make_space


async def _space_count(runtime: Runtime, org: OrgCtx) -> int:
    async with runtime.read_sessions() as s:
        n = await s.scalar(
            select(func.count()).select_from(Space).where(Space.org_id == uuid.UUID(org.org_id))
        )
    return int(n or 0)


async def test_create_returns_the_seed_shape(client: httpx.AsyncClient, org: OrgCtx) -> None:
    r = await client.post(
        "/v1/spaces", json={"name": "Research", "description": "R&D"}, headers=org.headers
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {
        "id",
        "name",
        "description",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    }
    assert body["name"] == "Research" and body["description"] == "R&D"
    assert body["created_by"] == org.user_id == body["updated_by"]
    assert body["created_at"].endswith("Z")
    assert uuid.UUID(body["id"]).version == 7
    r = await client.get(f"/v1/spaces/{body['id']}", headers=org.headers)
    assert r.status_code == 200 and r.json() == body


@pytest.mark.parametrize(
    ("payload", "missing"),
    [({"name": "x"}, "description"), ({"description": "x"}, "name"), ({}, "name")],
)
async def test_create_requires_both_fields(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx, payload: dict[str, str], missing: str
) -> None:
    r = await client.post("/v1/spaces", json=payload, headers=org.headers)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert isinstance(detail, list)
    assert {"type": "missing", "loc": ["body", missing]}.items() <= {
        "type": detail[0]["type"],
        "loc": detail[0]["loc"],
    }.items() or any(d["loc"] == ["body", missing] and d["type"] == "missing" for d in detail)
    assert await _space_count(runtime, org) == 0


@pytest.mark.parametrize("field", ["org_id", "id", "created_by", "deleted_at"])
async def test_unknown_fields_are_refused_and_nothing_is_created(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx, other_org: OrgCtx, field: str
) -> None:
    payload = {"name": "n", "description": "d", field: other_org.org_id}
    r = await client.post("/v1/spaces", json=payload, headers=org.headers)
    assert r.status_code == 422
    [error] = r.json()["detail"]
    assert error["type"] == "extra_forbidden" and error["loc"] == ["body", field]
    assert await _space_count(runtime, org) == 0
    assert await _space_count(runtime, other_org) == 0


async def test_list_pages_with_limit_and_after(client: httpx.AsyncClient, org: OrgCtx) -> None:
    made = [str((await make_space(client, org, f"s{i}"))["id"]) for i in range(5)]
    seen: list[str] = []
    after = ""  # the seed's default: "first page"
    pages = 0
    while True:
        r = await client.get("/v1/spaces", params={"limit": 2, "after": after}, headers=org.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["count"] == len(body["data"]) <= 2
        seen += [s["id"] for s in body["data"]]
        pages += 1
        if not body["has_more"]:
            assert body["next_cursor"] is None
            break
        after = body["next_cursor"]
    assert seen == made and pages == 3
    r = await client.get("/v1/spaces", params={"after": '""'}, headers=org.headers)
    assert [s["id"] for s in r.json()["data"]] == made


async def test_default_page_size_is_ten(client: httpx.AsyncClient, org: OrgCtx) -> None:
    for i in range(11):
        await make_space(client, org, f"s{i}")
    body = (await client.get("/v1/spaces", headers=org.headers)).json()
    assert body["count"] == 10 and body["has_more"] is True


@pytest.mark.parametrize("limit", [0, 101, -1])
async def test_limit_out_of_range(client: httpx.AsyncClient, org: OrgCtx, limit: int) -> None:
    r = await client.get("/v1/spaces", params={"limit": limit}, headers=org.headers)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "limit"]


async def test_garbage_and_tampered_cursors_are_400(client: httpx.AsyncClient, org: OrgCtx) -> None:
    for i in range(3):
        await make_space(client, org, f"s{i}")
    r = await client.get("/v1/spaces", params={"limit": 1}, headers=org.headers)
    cursor = r.json()["next_cursor"]
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[-3] ^= 0x01  # flip one bit of the position
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    for bad in ["garbage", "!!!", tampered, cursor[:-2], "\u00e9t\u00e9", "AAAA"]:
        r = await client.get("/v1/spaces", params={"after": bad}, headers=org.headers)
        assert r.status_code == 400, (bad, r.text)
        assert r.json() == {
            "detail": "`after` is neither a cursor issued for this list nor the id of one of its"
            " items.",
            "code": "invalid_cursor",
        }


async def test_cursor_of_another_list_is_refused(client: httpx.AsyncClient, org: OrgCtx) -> None:
    for _ in range(2):
        await client.post("/v1/api-keys", json={"name": "k"}, headers=org.headers)
    cursor = (await client.get("/v1/api-keys", params={"limit": 1}, headers=org.headers)).json()[
        "next_cursor"
    ]
    assert cursor
    r = await client.get("/v1/spaces", params={"after": cursor}, headers=org.headers)
    assert r.status_code == 400 and r.json()["code"] == "invalid_cursor"


async def test_patch_changes_only_given_fields(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await make_space(client, org, "old")
    r = await client.patch(f"/v1/spaces/{space['id']}", json={"name": "new"}, headers=org.headers)
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "new" and r.json()["description"] == space["description"]
    r = await client.patch(
        f"/v1/spaces/{space['id']}", json={"name": "x", "org_id": "y"}, headers=org.headers
    )
    assert r.status_code == 422
    got = (await client.get(f"/v1/spaces/{space['id']}", headers=org.headers)).json()
    assert got["name"] == "new"


async def test_delete_hides_then_restore_brings_back(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await make_space(client, org, "doomed")
    sid = space["id"]
    r = await client.delete(f"/v1/spaces/{sid}", headers=org.headers)
    assert r.status_code == 200 and r.json() == {"id": sid}

    listed = (await client.get("/v1/spaces", headers=org.headers)).json()
    assert sid not in [s["id"] for s in listed["data"]]
    r = await client.get(f"/v1/spaces/{sid}", headers=org.headers)
    assert r.status_code == 404 and r.json()["code"] == "space_not_found"
    r = await client.patch(f"/v1/spaces/{sid}", json={"name": "x"}, headers=org.headers)
    assert r.status_code == 404
    r = await client.post(
        f"/v1/spaces/{sid}/invite",
        json={"emails": ["a@example.com"], "roles": []},
        headers=org.headers,
    )
    assert r.status_code == 404
    assert (await client.get(f"/v1/spaces/{sid}/members", headers=org.headers)).status_code == 404
    assert (await client.delete(f"/v1/spaces/{sid}", headers=org.headers)).status_code == 404

    r = await client.post(f"/v1/spaces/{sid}/restore", headers=org.headers)
    assert r.status_code == 200 and r.json() == {"id": sid}
    got = await client.get(f"/v1/spaces/{sid}", headers=org.headers)
    assert got.status_code == 200 and got.json()["name"] == "doomed"
    listed = (await client.get("/v1/spaces", headers=org.headers)).json()
    assert sid in [s["id"] for s in listed["data"]]


async def test_restore_of_a_live_space_is_a_conflict(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await make_space(client, org)
    r = await client.post(f"/v1/spaces/{space['id']}/restore", headers=org.headers)
    assert r.status_code == 409
    assert r.json()["code"] == "space_not_deleted"


async def test_unknown_space_is_404(client: httpx.AsyncClient, org: OrgCtx) -> None:
    missing = uuid.uuid4()
    for method in ("GET", "DELETE"):
        r = await client.request(method, f"/v1/spaces/{missing}", headers=org.headers)
        assert r.status_code == 404
    r = await client.post(f"/v1/spaces/{missing}/restore", headers=org.headers)
    assert r.status_code == 404


async def test_non_uuid_id_is_422(client: httpx.AsyncClient, org: OrgCtx) -> None:
    r = await client.get("/v1/spaces/not-a-uuid", headers=org.headers)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["path", "id"]
