"""The registry on the platform surface, `/v1/tenant-models`: Aimable's items, own envelopes."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from spacegate.models import Entitlement
from spacegate.runtime import Runtime
from tests.factories import OrgCtx, make_space
from tests.providers.helpers import make_provider

BASE = "/v1/tenant-models"


async def _create(client: httpx.AsyncClient, org: OrgCtx, **body: Any) -> dict[str, Any]:
    r = await client.post(BASE, json=body, headers=org.headers)
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


async def test_crud_without_envelopes(client: httpx.AsyncClient, org: OrgCtx) -> None:
    provider = await make_provider(client, org)
    created = await _create(
        client, org, alias="llama-3.1-8b", provider_id=provider["id"], upstream_model="llama3.1"
    )
    assert created["alias"] == "llama-3.1-8b"
    assert created["targets"][0]["upstream_model"] == "llama3.1"
    url = f"{BASE}/{created['tenant_model_id']}"

    got = await client.get(url, headers=org.headers)
    assert got.status_code == 200
    assert got.json() == created

    r = await client.patch(
        url,
        json={"capabilities": ["chat", "embeddings"], "output_price_per_mtok": "0.6"},
        headers=org.headers,
    )
    assert r.status_code == 200
    assert r.json()["capabilities"] == ["chat", "embeddings"]
    assert r.json()["output_price_per_mtok"] == 0.6

    # The same row is visible on the Aimable surface.
    aimable = await client.get(
        f"/api-proxy/v1/tenant/models/{created['tenant_model_id']}", headers=org.headers
    )
    assert aimable.json()["data"] == r.json()

    assert (await client.delete(url, headers=org.headers)).status_code == 204
    assert (await client.get(url, headers=org.headers)).status_code == 404


async def test_list_with_limit_and_after(client: httpx.AsyncClient, org: OrgCtx) -> None:
    provider = await make_provider(client, org)
    ids = [
        (await _create(client, org, alias=f"p{i}", provider_id=provider["id"], upstream_model="m"))[
            "tenant_model_id"
        ]
        for i in range(3)
    ]
    r = await client.get(BASE, params={"limit": 2}, headers=org.headers)
    page = r.json()
    assert (page["count"], page["has_more"]) == (2, True)
    assert [m["tenant_model_id"] for m in page["data"]] == ids[:2]
    r = await client.get(
        BASE, params={"limit": 2, "after": page["next_cursor"]}, headers=org.headers
    )
    page = r.json()
    assert (page["count"], page["has_more"], page["next_cursor"]) == (1, False, None)
    assert [m["tenant_model_id"] for m in page["data"]] == ids[2:]
    # A cursor issued for another list is refused.
    providers_page = await client.get("/v1/providers", params={"limit": 1}, headers=org.headers)
    await make_provider(client, org, name="second")
    providers_page = await client.get("/v1/providers", params={"limit": 1}, headers=org.headers)
    foreign = providers_page.json()["next_cursor"]
    assert foreign
    assert (
        await client.get(BASE, params={"after": foreign}, headers=org.headers)
    ).status_code == 400


async def test_idempotency_key_is_optional_and_honoured(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    provider = await make_provider(client, org)
    body = {"alias": "idem", "provider_id": provider["id"], "upstream_model": "m"}
    headers = {**org.headers, "Idempotency-Key": "platform-idem-1"}
    first = await client.post(BASE, json=body, headers=headers)
    again = await client.post(BASE, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["tenant_model_id"] == first.json()["tenant_model_id"]
    assert (await client.get(BASE, headers=org.headers)).json()["count"] == 1


async def test_entitled_model_delete_is_409_unless_forced(
    client: httpx.AsyncClient, org: OrgCtx, runtime: Runtime
) -> None:
    provider = await make_provider(client, org)
    created = await _create(
        client, org, alias="ent", provider_id=provider["id"], upstream_model="m"
    )
    model_id = uuid.UUID(created["tenant_model_id"])
    spaces = [await make_space(client, org, name=f"s{i}") for i in range(2)]
    async with runtime.write_sessions() as session, session.begin():
        for i, space in enumerate(spaces):
            session.add(
                Entitlement(
                    org_id=uuid.UUID(org.org_id),
                    space_id=uuid.UUID(str(space["id"])),
                    model_id=model_id,
                    is_default=i == 0,
                )
            )
    url = f"{BASE}/{model_id}"
    r = await client.delete(url, headers=org.headers)
    assert r.status_code == 409
    assert r.json()["code"] == "model_entitled"
    assert "2 space" in r.json()["detail"]
    r = await client.delete(url, params={"force": True}, headers=org.headers)
    assert r.status_code == 204
    async with runtime.read_sessions() as session:
        from sqlalchemy import func, select

        left = await session.scalar(
            select(func.count()).select_from(Entitlement).where(Entitlement.model_id == model_id)
        )
    assert left == 0
    # Removing a model is audited, with its entitlements.
    logs = await client.get(
        "/v1/audit-logs", params={"resource_id": str(model_id)}, headers=org.headers
    )
    assert logs.status_code == 200
    assert "delete" in logs.text


async def test_malformed_id_and_other_orgs(
    client: httpx.AsyncClient, org: OrgCtx, other_org: OrgCtx
) -> None:
    r = await client.patch(f"{BASE}/123", json={}, headers=org.headers)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["path", "tenant_model_id"]
    assert r.json()["detail"][0]["type"] == "uuid_parsing"
    provider = await make_provider(client, other_org)
    theirs = await _create(
        client, other_org, alias="x", provider_id=provider["id"], upstream_model="m"
    )
    r = await client.get(f"{BASE}/{theirs['tenant_model_id']}", headers=org.headers)
    assert r.status_code == 404
    assert (await client.get(BASE, headers=org.headers)).json()["count"] == 0
