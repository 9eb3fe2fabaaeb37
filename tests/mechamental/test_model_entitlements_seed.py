"""Seed 002 replayed as written: list, grant, get, update and revoke model entitlements."""

from __future__ import annotations

import uuid
from datetime import datetime

import httpx

from tests.entitlements.helpers import make_model, me_path, new_space
from tests.factories import OrgCtx

FIELDS = {
    "entitlement_id",
    "workspace_id",
    "org_id",
    "logical_model_id",
    "workspace_limits",
    "allowed_step_types",
    "allowed_endpoints",
    "allowed_purposes",
    "enabled",
    "request_count",
    "total_tokens",
    "last_used_at",
    "granted_by",
    "created_at",
    "updated_at",
}


def _auth(org: OrgCtx) -> dict[str, str]:
    return {"authorization": f"Bearer {org.key}"}


async def test_seed_002_lifecycle(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await new_space(client, org)
    model = await make_model(client, org)
    alias = model["alias"]

    r = await client.get(me_path(org, space), headers=_auth(org))
    assert r.status_code == 200
    assert r.json() == {"total": 0, "has_more": False, "next_cursor": None, "entitlements": []}

    r = await client.post(
        me_path(org, space),
        headers={**_auth(org), "Content-Type": "application/json"},
        content=f'{{    "logical_model_id": "{alias}"  }}',
    )
    assert r.status_code == 201, r.text
    granted = r.json()
    assert set(granted) == FIELDS
    uuid.UUID(granted["entitlement_id"])
    assert granted["workspace_id"] == space
    assert granted["org_id"] == org.org_id
    assert granted["logical_model_id"] == alias
    assert granted["workspace_limits"] == {}
    assert granted["allowed_step_types"] == []
    assert granted["allowed_endpoints"] == []
    assert granted["allowed_purposes"] == []
    assert granted["enabled"] is True
    assert granted["request_count"] == 0
    assert granted["total_tokens"] == 0
    assert granted["last_used_at"] is None
    assert granted["granted_by"] == org.user_id
    for stamp in ("created_at", "updated_at"):
        assert granted[stamp].endswith("Z")
        datetime.fromisoformat(granted[stamp])

    r = await client.get(me_path(org, space) + "?enabled_only=false&limit=50", headers=_auth(org))
    assert r.status_code == 200
    assert r.json() == {
        "total": 1,
        "has_more": False,
        "next_cursor": None,
        "entitlements": [granted],
    }

    r = await client.get(me_path(org, space, alias), headers=_auth(org))
    assert r.status_code == 200
    assert r.json() == granted

    r = await client.patch(
        me_path(org, space, alias),
        headers={**_auth(org), "Content-Type": "application/json"},
        content="{}",
    )
    assert r.status_code == 200, r.text
    patched = r.json()
    assert {k: v for k, v in patched.items() if k != "updated_at"} == {
        k: v for k, v in granted.items() if k != "updated_at"
    }

    r = await client.delete(me_path(org, space, alias), headers=_auth(org))
    assert r.status_code == 204
    assert r.content == b""
    r = await client.get(me_path(org, space, alias), headers=_auth(org))
    assert r.status_code == 404
    assert isinstance(r.json()["detail"], str)


async def test_grant_and_patch_rules(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await new_space(client, org)
    model = await make_model(client, org)
    limits = {
        "rpm": 60,
        "tpm": 100000,
        "max_tokens_per_request": 4096,
        "token_budget": {"limit": 1000000, "period": "month"},
        "cost_budget": {"limit": 25.5, "period": "week"},
    }
    r = await client.post(
        me_path(org, space),
        json={
            "logical_model_id": model["alias"],
            "workspace_limits": limits,
            "allowed_step_types": ["inference", "tool_call", "inference"],
            "allowed_endpoints": ["chat.completions"],
            "allowed_purposes": ["chat", "summarization"],
            "enabled": False,
        },
        headers=org.headers,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["workspace_limits"] == limits
    assert body["allowed_step_types"] == ["inference", "tool_call"]
    assert body["allowed_endpoints"] == ["chat.completions"]
    assert body["allowed_purposes"] == ["chat", "summarization"]
    assert body["enabled"] is False

    r = await client.patch(
        me_path(org, space, model["alias"]),
        json={"workspace_limits": {"rpm": 5}, "allowed_endpoints": [], "enabled": True},
        headers=org.headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["workspace_limits"] == {"rpm": 5}
    assert body["allowed_endpoints"] == []
    assert body["allowed_step_types"] == ["inference", "tool_call"]
    assert body["enabled"] is True
    r = await client.get(me_path(org, space, model["alias"]), headers=org.headers)
    assert r.json() == body


async def test_invalid_rules_are_422_and_change_nothing(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await new_space(client, org)
    model = await make_model(client, org)
    alias = model["alias"]
    bad: list[dict[str, object]] = [
        {"workspace_limits": {"rpn": 5}},
        {"workspace_limits": {"rpm": 0}},
        {"workspace_limits": {"token_budget": {"limit": 10, "period": "year"}}},
        {"workspace_limits": {"cost_budget": {"limit": 10}}},
        {"workspace_limits": {"token_budget": {"limit": 10, "period": "day", "x": 1}}},
        {"allowed_step_types": ["teleport"]},
        {"allowed_endpoints": ["images.generate"]},
        {"allowed_purposes": ["Not A Label"]},
        {"allowed_purposes": ["x" * 65]},
        {"enabled": None},
        {"org_id": str(uuid.uuid4())},
    ]
    for i, extra in enumerate(bad):
        r = await client.post(
            me_path(org, space), json={"logical_model_id": alias, **extra}, headers=org.headers
        )
        assert r.status_code == 422, (i, r.text)
        assert isinstance(r.json()["detail"], list)
    r = await client.get(me_path(org, space), headers=org.headers)
    assert r.json()["total"] == 0
    r = await client.post(
        me_path(org, space), json={"logical_model_id": alias}, headers=org.headers
    )
    assert r.status_code == 201
    for extra in bad:
        r = await client.patch(me_path(org, space, alias), json=extra, headers=org.headers)
        assert r.status_code == 422, r.text
    r = await client.get(me_path(org, space, alias), headers=org.headers)
    assert r.json()["workspace_limits"] == {}
    assert r.json()["allowed_purposes"] == []


async def test_limit_outside_1_to_100_is_422(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await new_space(client, org)
    for limit in ("0", "101", "-1", "many"):
        r = await client.get(me_path(org, space) + f"?limit={limit}", headers=org.headers)
        assert r.status_code == 422, limit
        assert r.json()["detail"][0]["loc"] == ["query", "limit"]
    for limit in ("1", "100"):
        r = await client.get(me_path(org, space) + f"?limit={limit}", headers=org.headers)
        assert r.status_code == 200


async def test_enabled_only_and_total(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await new_space(client, org)
    aliases = [(await make_model(client, org))["alias"] for _ in range(3)]
    for i, alias in enumerate(aliases):
        r = await client.post(
            me_path(org, space),
            json={"logical_model_id": alias, "enabled": i != 1},
            headers=org.headers,
        )
        assert r.status_code == 201
    r = await client.get(me_path(org, space) + "?enabled_only=true", headers=org.headers)
    body = r.json()
    assert body["total"] == 2
    assert [e["logical_model_id"] for e in body["entitlements"]] == [aliases[0], aliases[2]]
    r = await client.get(me_path(org, space) + "?limit=2", headers=org.headers)
    body = r.json()
    assert (body["total"], body["has_more"], len(body["entitlements"])) == (3, True, 2)
    r = await client.get(
        me_path(org, space) + f"?limit=2&cursor={body['next_cursor']}", headers=org.headers
    )
    body = r.json()
    assert body["has_more"] is False
    assert body["next_cursor"] is None
    assert [e["logical_model_id"] for e in body["entitlements"]] == [aliases[2]]


async def test_grant_conflicts_and_unknown_models(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await new_space(client, org)
    model = await make_model(client, org)
    r = await client.post(
        me_path(org, space), json={"logical_model_id": model["alias"]}, headers=org.headers
    )
    assert r.status_code == 201
    r = await client.post(
        me_path(org, space), json={"logical_model_id": model["alias"]}, headers=org.headers
    )
    assert r.status_code == 409
    assert isinstance(r.json()["detail"], str)
    r = await client.post(
        me_path(org, space), json={"logical_model_id": "no-such-model"}, headers=org.headers
    )
    assert r.status_code == 404
    missing = me_path(org, space, "no-such-model")
    assert (await client.get(missing, headers=org.headers)).status_code == 404
    assert (await client.patch(missing, json={}, headers=org.headers)).status_code == 404
    assert (await client.delete(missing, headers=org.headers)).status_code == 404


async def test_other_orgs_are_404(
    client: httpx.AsyncClient, org: OrgCtx, other_org: OrgCtx
) -> None:
    space = await new_space(client, org)
    model = await make_model(client, org)
    alias = model["alias"]
    r = await client.post(
        me_path(org, space), json={"logical_model_id": alias}, headers=org.headers
    )
    assert r.status_code == 201
    ours = me_path(org, space)
    # Their key with our org id and workspace, and their key with their org id on our workspace.
    for path in (ours, me_path(other_org, space)):
        r = await client.get(path, headers=other_org.headers)
        assert r.status_code == 404
        r = await client.get(f"{path}/{alias}", headers=other_org.headers)
        assert r.status_code == 404
        r = await client.patch(
            f"{path}/{alias}", json={"enabled": False}, headers=other_org.headers
        )
        assert r.status_code == 404
        r = await client.delete(f"{path}/{alias}", headers=other_org.headers)
        assert r.status_code == 404
        r = await client.post(path, json={"logical_model_id": alias}, headers=other_org.headers)
        assert r.status_code == 404
    # Our key on someone else's org id (or a made-up one, as in the seed's "string").
    for org_id in (other_org.org_id, str(uuid.uuid4()), "string"):
        r = await client.get(
            f"/v1/orgs/{org_id}/workspaces/{space}/model-entitlements", headers=org.headers
        )
        assert r.status_code == 404
        assert r.json()["code"] == "org_not_found"
    r = await client.get(f"{ours}/{alias}", headers=org.headers)
    assert r.json()["enabled"] is True


async def test_aliases_with_slashes(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await new_space(client, org)
    model = await make_model(client, org, "meta-llama/Llama-3.1-8B")
    r = await client.post(
        me_path(org, space), json={"logical_model_id": model["alias"]}, headers=org.headers
    )
    assert r.status_code == 201
    path = me_path(org, space, model["alias"])
    r = await client.get(path, headers=org.headers)
    assert r.status_code == 200
    assert r.json()["logical_model_id"] == "meta-llama/Llama-3.1-8B"
    r = await client.patch(path, json={"allowed_purposes": ["chat"]}, headers=org.headers)
    assert r.json()["allowed_purposes"] == ["chat"]
    assert (await client.delete(path, headers=org.headers)).status_code == 204
    assert (await client.get(path, headers=org.headers)).status_code == 404
