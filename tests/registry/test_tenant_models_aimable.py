"""Aimable tenant models: ``/api-proxy/v1/tenant/models``."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from spacegate.models import Entitlement
from spacegate.runtime import Runtime
from tests.factories import OrgCtx, make_space
from tests.providers.helpers import make_provider

BASE = "/api-proxy/v1/tenant/models"


def _h(org: OrgCtx, key: str | None = None) -> dict[str, str]:
    return {**org.headers, "Idempotency-Key": key or uuid.uuid4().hex}


async def _create(client: httpx.AsyncClient, org: OrgCtx, **body: Any) -> dict[str, Any]:
    r = await client.post(BASE, json=body, headers=_h(org))
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


async def test_minimal_create_and_the_item_shape(client: httpx.AsyncClient, org: OrgCtx) -> None:
    provider = await make_provider(client, org)
    r = await client.post(
        BASE,
        json={"alias": "gpt-4o-mini", "provider_id": provider["id"], "upstream_model": "gpt-4o"},
        headers=_h(org),
    )
    assert r.status_code == 201, r.text
    assert set(r.json()) == {"data"}
    item = r.json()["data"]
    uuid.UUID(item["tenant_model_id"])
    assert item["alias"] == "gpt-4o-mini"
    assert item["display_name"] == "gpt-4o-mini"
    assert item["capabilities"] == ["chat"]
    assert item["context_window"] is None
    assert item["reasoning"] == {"enabled": False}
    assert item["logo_url"] is None
    assert item["logo_url_dark"] is None
    assert item["input_price_per_mtok"] is None
    assert item["output_price_per_mtok"] is None
    assert item["request_overrides"] == {}
    assert item["routing_strategy"] == "priority"
    assert item["enabled"] is True
    assert item["provider_id"] == provider["id"]
    assert item["upstream_model"] == "gpt-4o"
    (target,) = item["targets"]
    assert target["provider_id"] == provider["id"]
    assert (target["upstream_model"], target["priority"], target["weight"]) == ("gpt-4o", 0, 1)
    assert item["created_at"].endswith("Z")
    assert item["updated_at"].endswith("Z")


async def test_full_create_with_several_targets(client: httpx.AsyncClient, org: OrgCtx) -> None:
    primary = await make_provider(client, org, name="primary")
    backup = await make_provider(
        client, org, name="backup", type="anthropic", base_url="https://api.anthropic.com"
    )
    item = await _create(
        client,
        org,
        alias="claude-3-opus",
        display_name="Claude 3 Opus",
        capabilities=["chat", "file-processing", "chat"],
        context_window=200_000,
        reasoning={"enabled": True},
        logo_url="https://cdn.example.com/claude-light.png",
        logo_url_dark="https://cdn.example.com/claude-dark.png",
        input_price_per_mtok="15.00",
        output_price_per_mtok=75,
        request_overrides={"temperature": 0.2, "max_tokens": 1024, "stop": ["\n\n"]},
        routing_strategy="round_robin",
        enabled=False,
        targets=[
            {"provider_id": backup["id"], "upstream_model": "claude-3-opus", "priority": 5},
            {"provider_id": primary["id"], "upstream_model": "opus-proxy", "weight": 3},
        ],
    )
    assert item["display_name"] == "Claude 3 Opus"
    assert item["capabilities"] == ["chat", "file-processing"]
    assert item["context_window"] == 200000
    assert item["reasoning"] == {"enabled": True}
    assert item["logo_url_dark"] == "https://cdn.example.com/claude-dark.png"
    assert (item["input_price_per_mtok"], item["output_price_per_mtok"]) == (15.0, 75.0)
    assert item["request_overrides"] == {"temperature": 0.2, "max_tokens": 1024, "stop": ["\n\n"]}
    assert item["routing_strategy"] == "round_robin"
    assert item["enabled"] is False
    # Targets come back in the order the priority strategy would try them.
    assert [(t["provider_id"], t["priority"], t["weight"]) for t in item["targets"]] == [
        (primary["id"], 0, 3),
        (backup["id"], 5, 1),
    ]
    got = await client.get(f"{BASE}/{item['tenant_model_id']}", headers=org.headers)
    assert got.status_code == 200
    assert got.json() == {"data": item}


async def test_idempotency_key_is_required_and_replays(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    provider = await make_provider(client, org)
    body = {"alias": "replayed", "provider_id": provider["id"], "upstream_model": "gpt-4o"}
    r = await client.post(BASE, json=body, headers=org.headers)
    assert r.status_code == 400
    assert r.json()["code"] == "idempotency_key_required"

    headers = _h(org, "create-replayed-1")
    first = await client.post(BASE, json=body, headers=headers)
    assert first.status_code == 201
    again = await client.post(BASE, json=body, headers=headers)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    different = await client.post(BASE, json={**body, "alias": "other"}, headers=headers)
    assert different.status_code == 422
    listed = (await client.get(BASE, headers=org.headers)).json()["data"]
    assert [m["alias"] for m in listed] == ["replayed"]


async def test_list_pages_with_cursor(client: httpx.AsyncClient, org: OrgCtx) -> None:
    provider = await make_provider(client, org)
    ids = [
        (await _create(client, org, alias=f"m{i}", provider_id=provider["id"], upstream_model="x"))[
            "tenant_model_id"
        ]
        for i in range(5)
    ]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        r = await client.get(BASE, params=params, headers=org.headers)
        assert r.status_code == 200
        body = r.json()
        assert set(body) == {"data", "meta"}
        seen += [m["tenant_model_id"] for m in body["data"]]
        pages += 1
        if not body["meta"]["has_more"]:
            assert body["meta"]["next_cursor"] is None
            break
        cursor = body["meta"]["next_cursor"]
    assert seen == ids
    assert pages == 3
    assert cursor is not None
    r = await client.get(BASE, params={"cursor": cursor + "x"}, headers=org.headers)
    assert r.status_code == 400
    assert (await client.get(BASE, params={"limit": 0}, headers=org.headers)).status_code == 422


async def test_update(client: httpx.AsyncClient, org: OrgCtx) -> None:
    a = await make_provider(client, org, name="a")
    b = await make_provider(client, org, name="b")
    item = await _create(
        client, org, alias="upd", provider_id=a["id"], upstream_model="x", context_window=8192
    )
    url = f"{BASE}/{item['tenant_model_id']}"
    r = await client.patch(
        url,
        json={
            "alias": "upd-2",
            "display_name": "Updated",
            "context_window": None,
            "reasoning": {"enabled": True},
            "request_overrides": {"top_p": 0.9},
            "routing_strategy": "lowest_latency",
            "enabled": False,
            "targets": [
                {"provider_id": b["id"], "upstream_model": "y"},
                {"provider_id": a["id"], "upstream_model": "x", "priority": 1},
            ],
        },
        headers=org.headers,
    )
    assert r.status_code == 200, r.text
    updated = r.json()["data"]
    assert updated["alias"] == "upd-2"
    assert updated["display_name"] == "Updated"
    assert updated["context_window"] is None
    assert updated["reasoning"] == {"enabled": True}
    assert updated["request_overrides"] == {"top_p": 0.9}
    assert updated["routing_strategy"] == "lowest_latency"
    assert updated["enabled"] is False
    assert [(t["provider_id"], t["upstream_model"]) for t in updated["targets"]] == [
        (b["id"], "y"),
        (a["id"], "x"),
    ]
    assert updated["created_at"] == item["created_at"]
    # Fields absent from the body stay as they are.
    r = await client.patch(url, json={"display_name": "Again"}, headers=org.headers)
    again = r.json()["data"]
    assert again["alias"] == "upd-2"
    assert again["targets"] == updated["targets"]
    assert (await client.get(url, headers=org.headers)).json()["data"] == again


async def test_delete_refused_while_entitled_unless_forced(
    client: httpx.AsyncClient, org: OrgCtx, runtime: Runtime
) -> None:
    provider = await make_provider(client, org)
    item = await _create(
        client, org, alias="entitled", provider_id=provider["id"], upstream_model="x"
    )
    space = await make_space(client, org)
    async with runtime.write_sessions() as session, session.begin():
        session.add(
            Entitlement(
                org_id=uuid.UUID(org.org_id),
                space_id=uuid.UUID(str(space["id"])),
                model_id=uuid.UUID(item["tenant_model_id"]),
            )
        )
    url = f"{BASE}/{item['tenant_model_id']}"
    r = await client.delete(url, headers=org.headers)
    assert r.status_code == 409
    assert r.json()["code"] == "model_entitled"
    assert (await client.get(url, headers=org.headers)).status_code == 200
    r = await client.delete(url, params={"force": "true"}, headers=org.headers)
    assert r.status_code == 204
    assert r.content == b""
    r = await client.get(url, headers=org.headers)
    assert r.status_code == 404
    assert r.json()["code"] == "model_not_found"


async def test_delete_unentitled(client: httpx.AsyncClient, org: OrgCtx) -> None:
    provider = await make_provider(client, org)
    item = await _create(client, org, alias="gone", provider_id=provider["id"], upstream_model="x")
    url = f"{BASE}/{item['tenant_model_id']}"
    assert (await client.delete(url, headers=org.headers)).status_code == 204
    assert (await client.delete(url, headers=org.headers)).status_code == 404
    # The alias is free again.
    await _create(client, org, alias="gone", provider_id=provider["id"], upstream_model="x")


@pytest.mark.parametrize(
    "patch",
    [
        {"alias": ""},
        {"alias": "-leading-dash"},
        {"alias": "has space"},
        {"alias": "x" * 201},
        {"routing_strategy": "random"},
        {"request_overrides": {"temprature": 0.1}},
        {"request_overrides": {"temperature": 3}},
        {"reasoning": {"enabled": True, "budget": 5}},
        {"capabilities": ["Chat!"]},
        {"context_window": 0},
        {"input_price_per_mtok": -1},
        {"logo_url": "javascript:alert(1)"},
        {"upstream_model": None},
        {"provider_id": None, "upstream_model": None},
        {"targets": []},
        {"targets": [{"provider_id": "PROVIDER", "upstream_model": "y", "weight": 0}]},
        {"unknown_field": 1},
    ],
)
async def test_invalid_bodies_are_422_with_pydantic_details(
    client: httpx.AsyncClient, org: OrgCtx, patch: dict[str, Any]
) -> None:
    provider = await make_provider(client, org)
    body: dict[str, Any] = {
        "alias": "valid-alias",
        "provider_id": provider["id"],
        "upstream_model": "gpt-4o",
    }
    for k, v in patch.items():
        if k == "targets":
            v = [{**t, "provider_id": provider["id"]} for t in v]
        if v is None:
            body.pop(k, None)
        else:
            body[k] = v
    if "targets" in patch:
        body.pop("provider_id")
        body.pop("upstream_model")
    r = await client.post(BASE, json=body, headers=_h(org))
    assert r.status_code == 422, r.text
    assert isinstance(r.json()["detail"], list)


async def test_shortcut_and_targets_together_are_refused(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    provider = await make_provider(client, org)
    r = await client.post(
        BASE,
        json={
            "alias": "both",
            "provider_id": provider["id"],
            "upstream_model": "a",
            "targets": [{"provider_id": provider["id"], "upstream_model": "b"}],
        },
        headers=_h(org),
    )
    assert r.status_code == 422


async def test_alias_is_unique_in_the_org(
    client: httpx.AsyncClient, org: OrgCtx, other_org: OrgCtx
) -> None:
    provider = await make_provider(client, org)
    first = await _create(client, org, alias="dup", provider_id=provider["id"], upstream_model="x")
    second = await _create(
        client, org, alias="dup-2", provider_id=provider["id"], upstream_model="x"
    )
    r = await client.post(
        BASE,
        json={"alias": "dup", "provider_id": provider["id"], "upstream_model": "x"},
        headers=_h(org),
    )
    assert r.status_code == 409
    assert r.json()["code"] == "alias_taken"
    r = await client.patch(
        f"{BASE}/{second['tenant_model_id']}", json={"alias": "dup"}, headers=org.headers
    )
    assert r.status_code == 409
    # Renaming a model to its own alias is not a conflict.
    r = await client.patch(
        f"{BASE}/{first['tenant_model_id']}", json={"alias": "dup"}, headers=org.headers
    )
    assert r.status_code == 200
    theirs = await make_provider(client, other_org)
    await _create(client, other_org, alias="dup", provider_id=theirs["id"], upstream_model="x")


async def test_other_orgs_models_and_providers_do_not_exist(
    client: httpx.AsyncClient, org: OrgCtx, other_org: OrgCtx
) -> None:
    theirs_provider = await make_provider(client, other_org)
    theirs = await _create(
        client,
        other_org,
        alias="secret-model",
        provider_id=theirs_provider["id"],
        upstream_model="x",
    )
    url = f"{BASE}/{theirs['tenant_model_id']}"
    for r in (
        await client.get(url, headers=org.headers),
        await client.patch(url, json={"enabled": False}, headers=org.headers),
        await client.delete(url, headers=org.headers),
        await client.delete(url, params={"force": "true"}, headers=org.headers),
    ):
        assert r.status_code == 404
        assert r.json()["code"] == "model_not_found"
    assert (await client.get(BASE, headers=org.headers)).json()["data"] == []
    # Another org's provider cannot be a target, on create or update.
    r = await client.post(
        BASE,
        json={"alias": "steal", "provider_id": theirs_provider["id"], "upstream_model": "x"},
        headers=_h(org),
    )
    assert r.status_code == 404
    assert r.json()["code"] == "provider_not_found"
    mine = await make_provider(client, org)
    item = await _create(client, org, alias="mine", provider_id=mine["id"], upstream_model="x")
    r = await client.patch(
        f"{BASE}/{item['tenant_model_id']}",
        json={"targets": [{"provider_id": theirs_provider["id"], "upstream_model": "x"}]},
        headers=org.headers,
    )
    assert r.status_code == 404
    got = (await client.get(f"{BASE}/{item['tenant_model_id']}", headers=org.headers)).json()
    assert got["data"]["provider_id"] == mine["id"]
    assert (await client.get(url, headers=other_org.headers)).json()["data"]["enabled"] is True


async def test_malformed_id_is_422_with_the_seed_shape(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    r = await client.get(f"{BASE}/not-a-uuid", headers=org.headers)
    assert r.status_code == 422
    (err,) = r.json()["detail"]
    assert err["loc"] == ["path", "tenant_model_id"]
    assert err["type"] == "uuid_parsing"
    assert err["input"] == "not-a-uuid"
    assert err["msg"].startswith("Input should be a valid UUID")


async def test_unauthenticated_and_unprivileged_callers(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    from tests.factories import make_key

    assert (await client.get(BASE)).status_code == 401
    reader, _ = await make_key(client, org, permissions=["models:list", "models:get"])
    headers = {"X-API-Key": reader, "Idempotency-Key": "k1"}
    assert (await client.get(BASE, headers=headers)).status_code == 200
    provider = await make_provider(client, org)
    r = await client.post(
        BASE,
        json={"alias": "nope", "provider_id": provider["id"], "upstream_model": "x"},
        headers=headers,
    )
    assert r.status_code == 403
