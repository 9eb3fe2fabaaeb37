"""Every change through the API leaves an audit row in the same transaction; failures leave none."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from spacegate.models import AuditLog
from spacegate.runtime import Runtime
from tests.factories import OrgCtx, invite_and_accept, make_key, make_space


async def _entries(client: httpx.AsyncClient, org: OrgCtx, **params: Any) -> list[dict[str, Any]]:
    r = await client.get("/v1/audit-logs", params={"limit": 100, **params}, headers=org.headers)
    assert r.status_code == 200, r.text
    data: list[dict[str, Any]] = r.json()["data"]
    return data


async def _count(runtime: Runtime, org: OrgCtx) -> int:
    async with runtime.read_sessions() as s:
        n = await s.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.org_id == uuid.UUID(org.org_id))
        )
    return int(n or 0)


async def test_space_lifecycle_is_audited(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await make_space(client, org, "a")
    sid = str(space["id"])
    await client.patch(f"/v1/spaces/{sid}", json={"name": "b"}, headers=org.headers)
    await client.delete(f"/v1/spaces/{sid}", headers=org.headers)
    await client.post(f"/v1/spaces/{sid}/restore", headers=org.headers)
    rows = await _entries(client, org, resource="space", resource_id=sid)
    assert [r["action"] for r in rows] == ["create", "update", "delete", "restore"]
    me = (await client.get("/v1/users/me", headers=org.headers)).json()
    for row in rows:
        assert row["actor_type"] == "user" and row["actor_id"] == me["id"]
        assert row["api_key_id"] is not None and row["request_id"]
    create, update, delete, restore = rows
    assert create["before"] is None and create["after"]["name"] == "a"
    assert update["before"] == {"name": "a"} and update["after"] == {"name": "b"}
    assert delete["before"]["deleted_at"] is None and delete["after"]["deleted_at"].endswith("Z")
    assert restore["after"]["deleted_at"] is None


async def test_request_id_is_recorded(client: httpx.AsyncClient, org: OrgCtx) -> None:
    r = await client.post(
        "/v1/spaces",
        json={"name": "x", "description": ""},
        headers={**org.headers, "X-Request-ID": "trace-123"},
    )
    [row] = await _entries(client, org, resource="space", resource_id=r.json()["id"])
    assert row["request_id"] == "trace-123"


async def test_api_keys_are_audited_with_the_hash_masked(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    key, body = await make_key(client, org)
    await client.delete(f"/v1/api-keys/{body['id']}", headers=org.headers)
    rows = await _entries(client, org, resource="api_key", resource_id=body["id"])
    assert [r["action"] for r in rows] == ["create", "revoke"]
    assert rows[0]["after"]["key_hash"] == "***"
    assert rows[1]["after"]["revoked_at"] is not None
    everything = await client.get("/v1/audit-logs", params={"limit": 100}, headers=org.headers)
    assert key not in everything.text and key[3:35] not in everything.text


async def test_accepting_an_invite_is_audited(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await make_space(client, org)
    accepted = await invite_and_accept(client, org, space["id"], "i@example.com", ["trainings:get"])
    invitations = await _entries(client, org, resource="invitation")
    assert [r["action"] for r in invitations] == ["create", "update"]
    created, used = invitations
    assert created["after"]["token_hash"] == "***" and created["space_id"] == space["id"]
    assert used["after"]["accepted_user_id"] == accepted["user"]["id"]  # type: ignore[index]
    assert used["actor_type"] == "invitation" and used["actor_id"] == created["resource_id"]
    user_rows = await _entries(client, org, resource="user", action="create")
    assert [r["after"]["email"] for r in user_rows][-1] == "i@example.com"
    member = await _entries(client, org, resource="space_member", space_id=space["id"])
    assert member and member[0]["after"]["permissions"] == ["trainings:get"]


async def test_filters_and_paging(client: httpx.AsyncClient, org: OrgCtx) -> None:
    start = datetime.now(UTC) - timedelta(seconds=1)
    a = await make_space(client, org, "a")
    b = await make_space(client, org, "b")
    await client.delete(f"/v1/spaces/{b['id']}", headers=org.headers)
    assert [r["resource_id"] for r in await _entries(client, org, action="delete")] == [b["id"]]
    assert {r["space_id"] for r in await _entries(client, org, space_id=str(a["id"]))} <= {a["id"]}
    mine = await _entries(client, org, actor=org.user_id, resource="space")
    assert len(mine) == 3
    assert await _entries(client, org, actor=str(uuid.uuid4())) == []
    assert len(await _entries(client, org, resource="space", start_date=start.isoformat())) == 3
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert await _entries(client, org, start_date=future) == []
    assert await _entries(client, org, end_date=start.isoformat(), resource="space") == []
    seen: list[str] = []
    after = None
    while True:
        params: dict[str, Any] = {"limit": 2, "resource": "space"}
        if after:
            params["after"] = after
        body = (await client.get("/v1/audit-logs", params=params, headers=org.headers)).json()
        seen += [r["id"] for r in body["data"]]
        after = body["next_cursor"]
        if not body["has_more"]:
            break
    assert seen == [r["id"] for r in await _entries(client, org, resource="space")]
    assert len(seen) == 3


async def test_other_orgs_entries_never_appear(
    client: httpx.AsyncClient, org: OrgCtx, other_org: OrgCtx
) -> None:
    theirs = await make_space(client, other_org, "theirs")
    await make_space(client, org, "ours")
    rows = await _entries(client, org)
    assert rows and all(r["resource_id"] != theirs["id"] for r in rows)
    assert other_org.org_id not in str(rows) and other_org.user_id not in str(rows)
    assert await _entries(client, org, space_id=str(theirs["id"])) == []


async def test_failed_requests_write_nothing(
    client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx
) -> None:
    space = await make_space(client, org)
    before = await _count(runtime, org)
    r = await client.post("/v1/spaces", json={"name": "x"}, headers=org.headers)
    assert r.status_code == 422
    r = await client.post(f"/v1/spaces/{space['id']}/restore", headers=org.headers)
    assert r.status_code == 409  # raised after the service had loaded the row
    r = await client.post(
        f"/v1/spaces/{space['id']}/invite",
        json={"emails": ["a@example.com", "b@example.com"], "roles": ["trainings:get"]},
        headers={"X-API-Key": (await make_key(client, org, permissions=["spaces:invite"]))[0]},
    )
    before += 1  # the restricted key made just above
    assert r.status_code == 403
    r = await client.post("/v1/users/accept-invite", json={"token": "sginv_nothing"})
    assert r.status_code == 404
    assert await _count(runtime, org) == before


async def test_audit_log_needs_permission(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await make_space(client, org)
    dev = await invite_and_accept(client, org, space["id"], "d@example.com", [])
    r = await client.get("/v1/audit-logs", headers={"X-API-Key": str(dev["api_key"])})
    assert r.status_code == 403
