"""Entitlement changes, from either dialect, land in the org's audit log with who made them."""

from __future__ import annotations

import httpx

from tests.entitlements.helpers import allow, make_models, me_path, new_space
from tests.factories import OrgCtx


async def test_grant_update_default_and_revoke_are_audited(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await new_space(client, org)
    a, b = await make_models(client, org, 2)
    added = await allow(client, org, space, a["tenant_model_id"])
    await allow(client, org, space, b["tenant_model_id"], is_default=True)
    r = await client.patch(
        me_path(org, space, a["alias"]), json={"workspace_limits": {"rpm": 7}}, headers=org.headers
    )
    assert r.status_code == 200
    entitlement_id = r.json()["entitlement_id"]
    r = await client.put(
        f"/api-proxy/v1/spaces/{space}/model-policy",
        json={"mode": "fixed"},
        headers=org.headers,
    )
    assert r.status_code == 200
    r = await client.delete(me_path(org, space, a["alias"]), headers=org.headers)
    assert r.status_code == 204

    r = await client.get(
        "/v1/audit-logs",
        params={"resource": "entitlement", "space_id": space, "limit": 100},
        headers=org.headers,
    )
    assert r.status_code == 200
    entries = r.json()["data"]
    mine = [e for e in entries if e["resource_id"] == entitlement_id]
    assert [e["action"] for e in mine] == ["create", "update", "delete"]
    assert all(e["actor_id"] == org.user_id for e in mine)
    assert mine[0]["after"]["model_id"] == added["tenant_model_id"]
    assert mine[1]["before"]["workspace_limits"] == {}
    assert mine[1]["after"]["workspace_limits"] == {"rpm": 7}
    r = await client.get(
        "/v1/audit-logs", params={"resource": "space", "resource_id": space}, headers=org.headers
    )
    changes = [e["after"] for e in r.json()["data"] if e["action"] == "update"]
    assert {"model_mode": "fixed"} in changes
