"""Idempotency-Key on entitlement POSTs, under concurrency, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import httpx

from tests.entitlements.helpers import make_model, me_path, new_space
from tests.factories import OrgCtx


async def test_50_concurrent_posts_with_one_key_create_one_entitlement(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await new_space(client, org)
    model = await make_model(client, org)
    url = f"/api-proxy/v1/spaces/{space}/models"
    headers = {**org.headers, "Idempotency-Key": "fifty-at-once"}
    body = {"tenant_model_id": model["tenant_model_id"]}
    results = await asyncio.gather(
        *(client.post(url, json=body, headers=headers) for _ in range(50))
    )
    statuses = [r.status_code for r in results]
    # The winner creates it; the others either replay its answer or are told it is in flight.
    assert set(statuses) <= {201, 409}, statuses
    created = [r for r in results if r.status_code == 201]
    assert created
    assert len({r.content for r in created}) == 1
    assert sum(1 for r in created if "Idempotent-Replayed" not in r.headers) == 1
    for r in results:
        if r.status_code == 409:
            assert r.json()["code"] == "idempotency_key_in_use"
    listed = (await client.get(url, headers=org.headers)).json()["data"]
    assert [m["tenant_model_id"] for m in listed] == [model["tenant_model_id"]]
    # After the storm, a retry replays the stored answer.
    again = await client.post(url, json=body, headers=headers)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == created[0].content


async def test_50_concurrent_grants_without_a_key_create_one(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await new_space(client, org)
    model = await make_model(client, org)
    results = await asyncio.gather(
        *(
            client.post(
                me_path(org, space), json={"logical_model_id": model["alias"]}, headers=org.headers
            )
            for _ in range(50)
        )
    )
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(201) == 1, statuses
    assert set(statuses) == {201, 409}
    r = await client.get(me_path(org, space), headers=org.headers)
    assert r.json()["total"] == 1


async def test_mechamental_grant_honours_idempotency_key(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await new_space(client, org)
    model = await make_model(client, org)
    headers = {**org.headers, "Idempotency-Key": "grant-once"}
    body = {"logical_model_id": model["alias"]}
    first = await client.post(me_path(org, space), json=body, headers=headers)
    assert first.status_code == 201
    again = await client.post(me_path(org, space), json=body, headers=headers)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    other = await client.post(me_path(org, space), json={**body, "enabled": False}, headers=headers)
    assert other.status_code == 422
