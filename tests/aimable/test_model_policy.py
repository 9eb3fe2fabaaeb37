"""The space's default model: at most one, switched atomically; and the fixed/dynamic mode."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.entitlements.helpers import allow, make_models, new_space
from tests.factories import OrgCtx


async def _defaults(client: httpx.AsyncClient, org: OrgCtx, space: str) -> list[str]:
    r = await client.get(f"/api-proxy/v1/spaces/{space}/models", headers=org.headers)
    assert r.status_code == 200
    return [m["tenant_model_id"] for m in r.json()["data"] if m["is_default"]]


async def _put(client: httpx.AsyncClient, org: OrgCtx, space: str, **body: Any) -> httpx.Response:
    return await client.put(
        f"/api-proxy/v1/spaces/{space}/model-policy", json=body, headers=org.headers
    )


async def test_policy_starts_dynamic_without_default(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await new_space(client, org)
    r = await client.get(f"/api-proxy/v1/spaces/{space}/model-policy", headers=org.headers)
    assert r.status_code == 200
    assert r.json() == {"default_model_id": None, "default_model_alias": None, "mode": "dynamic"}


async def test_setting_a_default_unsets_the_previous_one(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await new_space(client, org)
    a, b = await make_models(client, org, 2)
    await allow(client, org, space, a["tenant_model_id"])
    await allow(client, org, space, b["tenant_model_id"])

    r = await _put(client, org, space, default_model_id=b["tenant_model_id"], mode="fixed")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "default_model_id": b["tenant_model_id"],
        "default_model_alias": b["alias"],
        "mode": "fixed",
    }
    assert await _defaults(client, org, space) == [b["tenant_model_id"]]

    r = await _put(client, org, space, default_model_alias=a["alias"])
    assert r.status_code == 200, r.text
    assert r.json()["default_model_id"] == a["tenant_model_id"]
    assert r.json()["mode"] == "fixed"
    assert await _defaults(client, org, space) == [a["tenant_model_id"]]


async def test_removing_the_default_leaves_none(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await new_space(client, org)
    a, b = await make_models(client, org, 2)
    await allow(client, org, space, a["tenant_model_id"], is_default=True)
    await allow(client, org, space, b["tenant_model_id"])
    assert await _defaults(client, org, space) == [a["tenant_model_id"]]
    r = await client.delete(
        f"/api-proxy/v1/spaces/{space}/models/{a['tenant_model_id']}", headers=org.headers
    )
    assert r.status_code == 204
    assert await _defaults(client, org, space) == []
    r = await client.get(f"/api-proxy/v1/spaces/{space}/model-policy", headers=org.headers)
    assert r.json()["default_model_id"] is None


async def test_adding_with_is_default_replaces_the_default(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await new_space(client, org)
    a, b = await make_models(client, org, 2)
    await allow(client, org, space, a["tenant_model_id"], is_default=True)
    added = await allow(client, org, space, b["tenant_model_id"], is_default=True)
    assert added["is_default"] is True
    assert await _defaults(client, org, space) == [b["tenant_model_id"]]


async def test_default_must_be_allowed_and_enabled(
    client: httpx.AsyncClient, org: OrgCtx, other_org: OrgCtx
) -> None:
    space = await new_space(client, org)
    a, b = await make_models(client, org, 2)
    (theirs,) = await make_models(client, other_org, 1)
    await allow(client, org, space, a["tenant_model_id"], is_enabled=False)
    r = await _put(client, org, space, default_model_id=b["tenant_model_id"])
    assert r.status_code == 422
    assert r.json()["code"] == "model_not_allowed"
    r = await _put(client, org, space, default_model_id=a["tenant_model_id"])
    assert r.status_code == 422
    assert r.json()["code"] == "entitlement_disabled"
    r = await _put(client, org, space, default_model_id=theirs["tenant_model_id"])
    assert r.status_code == 404
    r = await _put(client, org, space, mode="fixed")
    assert r.status_code == 422
    assert r.json()["code"] == "default_model_required"
    r = await _put(client, org, space, mode="sometimes")
    assert r.status_code == 422
    assert await _defaults(client, org, space) == []
    r = await client.get(f"/api-proxy/v1/spaces/{space}/model-policy", headers=org.headers)
    assert r.json()["mode"] == "dynamic"


async def test_disabling_the_default_clears_it(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await new_space(client, org)
    (a,) = await make_models(client, org, 1)
    await allow(client, org, space, a["tenant_model_id"], is_default=True)
    r = await client.patch(
        f"/v1/orgs/{org.org_id}/workspaces/{space}/model-entitlements/{a['alias']}",
        json={"enabled": False},
        headers=org.headers,
    )
    assert r.status_code == 200, r.text
    assert await _defaults(client, org, space) == []


async def test_clearing_the_default(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await new_space(client, org)
    (a,) = await make_models(client, org, 1)
    await allow(client, org, space, a["tenant_model_id"], is_default=True)
    r = await _put(client, org, space, default_model_id=None)
    assert r.status_code == 200
    assert r.json()["default_model_id"] is None
    assert await _defaults(client, org, space) == []


async def test_concurrent_default_switches_leave_exactly_one(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await new_space(client, org)
    models = await make_models(client, org, 4)
    for m in models:
        await allow(client, org, space, m["tenant_model_id"])
    await _put(client, org, space, default_model_id=models[0]["tenant_model_id"])
    results = await asyncio.gather(
        *(_put(client, org, space, default_model_id=m["tenant_model_id"]) for m in models * 3)
    )
    # A switch that lost a race is refused whole (409), never half applied.
    assert {r.status_code for r in results} <= {200, 409}
    assert any(r.status_code == 200 for r in results)
    defaults = await _defaults(client, org, space)
    assert len(defaults) == 1
    r = await client.get(f"/api-proxy/v1/spaces/{space}/model-policy", headers=org.headers)
    assert r.json()["default_model_id"] == defaults[0]
