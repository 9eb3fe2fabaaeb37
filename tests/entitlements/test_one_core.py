"""Both dialects read and write the same entitlement rows."""

from __future__ import annotations

import httpx

from tests.entitlements.helpers import allow, make_models, me_path, new_space
from tests.factories import OrgCtx


async def _aimable(client: httpx.AsyncClient, org: OrgCtx, space: str) -> list[dict[str, object]]:
    r = await client.get(f"/api-proxy/v1/spaces/{space}/models?limit=100", headers=org.headers)
    assert r.status_code == 200
    data: list[dict[str, object]] = r.json()["data"]
    return data


async def test_granted_in_one_dialect_is_seen_in_the_other(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await new_space(client, org)
    a, b = await make_models(client, org, 2)

    r = await client.post(
        me_path(org, space), json={"logical_model_id": a["alias"]}, headers=org.headers
    )
    assert r.status_code == 201
    granted = r.json()
    added = await allow(client, org, space, b["tenant_model_id"])

    items = await _aimable(client, org, space)
    assert [i["tenant_model_id"] for i in items] == [a["tenant_model_id"], b["tenant_model_id"]]
    assert items[0]["added_at"] == granted["created_at"]
    assert items[1] == added

    r = await client.get(me_path(org, space), headers=org.headers)
    listed = r.json()["entitlements"]
    assert [e["logical_model_id"] for e in listed] == [a["alias"], b["alias"]]
    assert listed[0] == granted
    assert listed[1]["created_at"] == added["added_at"]
    assert listed[1]["granted_by"] == org.user_id


async def test_is_enabled_is_enabled(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await new_space(client, org)
    (a,) = await make_models(client, org, 1)
    await allow(client, org, space, a["tenant_model_id"], is_enabled=False)
    r = await client.get(me_path(org, space, a["alias"]), headers=org.headers)
    assert r.json()["enabled"] is False
    r = await client.patch(
        me_path(org, space, a["alias"]), json={"enabled": True}, headers=org.headers
    )
    assert r.status_code == 200
    assert (await _aimable(client, org, space))[0]["is_enabled"] is True
    r = await client.get(me_path(org, space) + "?enabled_only=true", headers=org.headers)
    assert r.json()["total"] == 1


async def test_revoked_in_one_dialect_is_gone_in_the_other(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await new_space(client, org)
    a, b = await make_models(client, org, 2)
    await allow(client, org, space, a["tenant_model_id"])
    await allow(client, org, space, b["tenant_model_id"])
    r = await client.delete(me_path(org, space, a["alias"]), headers=org.headers)
    assert r.status_code == 204
    assert [i["tenant_model_id"] for i in await _aimable(client, org, space)] == [
        b["tenant_model_id"]
    ]
    r = await client.delete(
        f"/v1/spaces/{space}/models/{b['tenant_model_id']}", headers=org.headers
    )
    assert r.status_code == 204
    r = await client.get(me_path(org, space, b["alias"]), headers=org.headers)
    assert r.status_code == 404
    assert (await client.get(me_path(org, space), headers=org.headers)).json()["total"] == 0
    # A model revoked through one dialect can be granted again through the other.
    r = await client.post(
        me_path(org, space), json={"logical_model_id": b["alias"]}, headers=org.headers
    )
    assert r.status_code == 201


async def test_entitlements_are_per_space(client: httpx.AsyncClient, org: OrgCtx) -> None:
    one, two = await new_space(client, org), await new_space(client, org)
    (a,) = await make_models(client, org, 1)
    await allow(client, org, one, a["tenant_model_id"], is_default=True)
    assert await _aimable(client, org, two) == []
    added = await allow(client, org, two, a["tenant_model_id"], is_default=True)
    assert added["is_default"] is True
    assert (await _aimable(client, org, one))[0]["is_default"] is True
