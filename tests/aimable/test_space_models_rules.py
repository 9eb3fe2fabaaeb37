"""Aimable allowed models: idempotency, conflicts, other orgs, deleted spaces."""

from __future__ import annotations

import httpx

from tests.entitlements.helpers import allow, make_model, new_space
from tests.factories import OrgCtx


async def test_add_requires_an_idempotency_key(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await new_space(client, org)
    model = await make_model(client, org)
    r = await client.post(
        f"/api-proxy/v1/spaces/{space}/models",
        json={"tenant_model_id": model["tenant_model_id"]},
        headers=org.headers,
    )
    assert r.status_code == 400
    assert r.json()["code"] == "idempotency_key_required"
    r = await client.get(f"/api-proxy/v1/spaces/{space}/models", headers=org.headers)
    assert r.json()["data"] == []


async def test_replay_same_key_and_reuse_with_other_body(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await new_space(client, org)
    a, b = await make_model(client, org), await make_model(client, org)
    headers = {**org.headers, "Idempotency-Key": "replay-me"}
    url = f"/api-proxy/v1/spaces/{space}/models"
    first = await client.post(url, json={"tenant_model_id": a["tenant_model_id"]}, headers=headers)
    assert first.status_code == 201
    again = await client.post(url, json={"tenant_model_id": a["tenant_model_id"]}, headers=headers)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    other = await client.post(url, json={"tenant_model_id": b["tenant_model_id"]}, headers=headers)
    assert other.status_code == 422
    listed = (await client.get(url, headers=org.headers)).json()["data"]
    assert [m["tenant_model_id"] for m in listed] == [a["tenant_model_id"]]


async def test_adding_an_allowed_model_again_is_409(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await new_space(client, org)
    model = await make_model(client, org)
    await allow(client, org, space, model["tenant_model_id"])
    r = await client.post(
        f"/api-proxy/v1/spaces/{space}/models",
        json={"model_id": model["tenant_model_id"]},
        headers={**org.headers, "Idempotency-Key": "second-add"},
    )
    assert r.status_code == 409
    assert r.json()["code"] == "entitlement_exists"


async def test_body_is_strict(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await new_space(client, org)
    model = await make_model(client, org)
    url = f"/api-proxy/v1/spaces/{space}/models"
    mid = model["tenant_model_id"]
    for i, body in enumerate(
        [{}, {"tenant_model_id": "nope"}, {"tenant_model_id": mid, "space_id": space}]
    ):
        r = await client.post(url, json=body, headers={**org.headers, "Idempotency-Key": f"s{i}"})
        assert r.status_code == 422, body


async def test_other_orgs_objects_are_404(
    client: httpx.AsyncClient, org: OrgCtx, other_org: OrgCtx
) -> None:
    space = await new_space(client, org)
    model = await make_model(client, org)
    await allow(client, org, space, model["tenant_model_id"])
    their_space = await new_space(client, other_org)
    their_model = await make_model(client, other_org)
    mid = model["tenant_model_id"]
    for prefix in ("/api-proxy/v1", "/v1"):
        # Their key on our space.
        r = await client.get(f"{prefix}/spaces/{space}/models", headers=other_org.headers)
        assert r.status_code == 404
        r = await client.delete(f"{prefix}/spaces/{space}/models/{mid}", headers=other_org.headers)
        assert r.status_code == 404
        r = await client.post(
            f"{prefix}/spaces/{space}/models",
            json={"tenant_model_id": their_model["tenant_model_id"]},
            headers={**other_org.headers, "Idempotency-Key": f"x-{prefix}"},
        )
        assert r.status_code == 404
        # Our key, their model, our space.
        r = await client.post(
            f"{prefix}/spaces/{space}/models",
            json={"tenant_model_id": their_model["tenant_model_id"]},
            headers={**org.headers, "Idempotency-Key": f"y-{prefix}"},
        )
        assert r.status_code == 404
        assert r.json()["code"] == "model_not_found"
        # Our key, our model, their space.
        r = await client.post(
            f"{prefix}/spaces/{their_space}/models",
            json={"tenant_model_id": mid},
            headers={**org.headers, "Idempotency-Key": f"z-{prefix}"},
        )
        assert r.status_code == 404
    r = await client.get(f"/api-proxy/v1/spaces/{space}/model-policy", headers=other_org.headers)
    assert r.status_code == 404
    listed = (await client.get(f"/v1/spaces/{space}/models", headers=org.headers)).json()
    assert [m["tenant_model_id"] for m in listed["data"]] == [mid]


async def test_deleted_space_is_404(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await new_space(client, org)
    model = await make_model(client, org)
    await allow(client, org, space, model["tenant_model_id"])
    r = await client.delete(f"/v1/spaces/{space}", headers=org.headers)
    assert r.status_code == 200
    r = await client.get(f"/api-proxy/v1/spaces/{space}/models", headers=org.headers)
    assert r.status_code == 404
    r = await client.delete(
        f"/api-proxy/v1/spaces/{space}/models/{model['tenant_model_id']}", headers=org.headers
    )
    assert r.status_code == 404


async def test_model_id_and_tenant_model_id_are_one_field(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    space = await new_space(client, org)
    a = await make_model(client, org)
    url = f"/v1/spaces/{space}/models"
    r = await client.post(
        url,
        json={"tenant_model_id": a["tenant_model_id"], "model_id": a["tenant_model_id"]},
        headers={**org.headers, "Idempotency-Key": "both"},
    )
    assert r.status_code == 422
    # Seed 000's placeholder, sent literally, is not a model id.
    r = await client.post(
        url, json={"model_id": "new_model_id"}, headers={**org.headers, "Idempotency-Key": "lit"}
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "model_id"]
    assert r.json()["detail"][0]["type"] == "uuid_parsing"


async def test_space_bound_key_sees_only_its_space(client: httpx.AsyncClient, org: OrgCtx) -> None:
    mine, sibling = await new_space(client, org), await new_space(client, org)
    model = await make_model(client, org)
    await allow(client, org, mine, model["tenant_model_id"])
    await allow(client, org, sibling, model["tenant_model_id"])
    r = await client.post(
        "/v1/api-keys", json={"name": "bound", "space_id": mine}, headers=org.headers
    )
    assert r.status_code == 201, r.text
    bound = {"Authorization": f"Bearer {r.json()['key']}"}
    r = await client.get(f"/api-proxy/v1/spaces/{mine}/models", headers=bound)
    assert r.status_code == 200
    assert len(r.json()["data"]) == 1
    r = await client.get(f"/api-proxy/v1/spaces/{sibling}/models", headers=bound)
    assert r.status_code == 404
    r = await client.delete(
        f"/api-proxy/v1/spaces/{sibling}/models/{model['tenant_model_id']}", headers=bound
    )
    assert r.status_code == 404
    r = await client.get(
        f"/v1/orgs/{org.org_id}/workspaces/{sibling}/model-entitlements", headers=bound
    )
    assert r.status_code == 404
    r = await client.get(f"/api-proxy/v1/spaces/{sibling}/models", headers=org.headers)
    assert len(r.json()["data"]) == 1
