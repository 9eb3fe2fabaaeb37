"""Seeds 000 and 001 replayed as written: paths, headers, bodies, statuses and fields."""

from __future__ import annotations

import httpx

from tests.entitlements.helpers import make_model, new_space
from tests.factories import OrgCtx

SEED_SPACE = "123e4567-e89b-12d3-a456-426614174000"
SEED_MODEL = "a1b2c3d4-5678-9012-3456-789012345678"
ITEM_FIELDS = {
    "tenant_model_id",
    "alias",
    "is_enabled",
    "is_default",
    "context_window",
    "capabilities",
    "reasoning",
    "logo_url",
    "logo_url_dark",
    "added_at",
}


def _seed_001_headers(org: OrgCtx) -> dict[str, str]:
    # Seed 001 sends the bearer token and the optional X-API-Key together.
    return {"Authorization": f"Bearer {org.key}", "X-API-Key": org.key}


async def test_seed_001_add_list_remove(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await new_space(client, org)
    model = await make_model(
        client,
        org,
        "claude-3-opus",
        context_window=200000,
        capabilities=["chat", "file-processing"],
        reasoning={"enabled": True},
        logo_url="https://cdn.aimable.ai/models/claude-light.png",
        logo_url_dark="https://cdn.aimable.ai/models/claude-dark.png",
    )
    r = await client.post(
        f"/api-proxy/v1/spaces/{space}/models",
        headers={
            **_seed_001_headers(org),
            "Idempotency-Key": "abcdef-123456",
            "Content-Type": "application/json",
        },
        content=f'{{\n    "tenant_model_id": "{model["tenant_model_id"]}"\n  }}',
    )
    assert r.status_code == 201, r.text
    added = r.json()["data"]
    assert set(added) == ITEM_FIELDS
    assert added["tenant_model_id"] == model["tenant_model_id"]
    assert added["alias"] == "claude-3-opus"
    assert added["is_enabled"] is True
    assert added["is_default"] is False
    assert added["context_window"] == 200000
    assert added["capabilities"] == ["chat", "file-processing"]
    assert added["reasoning"] == {"enabled": True}
    assert added["logo_url_dark"] == "https://cdn.aimable.ai/models/claude-dark.png"
    assert added["added_at"].endswith("Z")

    r = await client.get(
        f"/api-proxy/v1/spaces/{space}/models?limit=5", headers=_seed_001_headers(org)
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"data", "meta"}
    assert body["meta"] == {"next_cursor": None, "has_more": False}
    assert body["data"] == [added]

    r = await client.delete(
        f"/api-proxy/v1/spaces/{space}/models/{model['tenant_model_id']}",
        headers=_seed_001_headers(org),
    )
    assert r.status_code == 204
    assert r.content == b""
    r = await client.get(f"/api-proxy/v1/spaces/{space}/models", headers=_seed_001_headers(org))
    assert r.json()["data"] == []


async def test_seed_000_add_list_remove(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await new_space(client, org)
    model = await make_model(client, org)
    x_api_key = {"X-API-Key": org.key}
    r = await client.post(
        f"/v1/spaces/{space}/models",
        headers={
            "Content-Type": "application/json",
            "Idempotency-Key": "unique_key",
            **x_api_key,
        },
        content=f'{{"model_id": "{model["tenant_model_id"]}"}}',
    )
    assert r.status_code == 201, r.text
    assert r.json()["data"]["tenant_model_id"] == model["tenant_model_id"]

    r = await client.get(f"/v1/spaces/{space}/models", headers=x_api_key)
    assert r.status_code == 200
    assert [m["tenant_model_id"] for m in r.json()["data"]] == [model["tenant_model_id"]]

    r = await client.delete(
        f"/v1/spaces/{space}/models/{model['tenant_model_id']}", headers=x_api_key
    )
    assert r.status_code == 204
    assert r.content == b""
    # 404: the model is no longer allowed in the space.
    r = await client.delete(
        f"/v1/spaces/{space}/models/{model['tenant_model_id']}", headers=x_api_key
    )
    assert r.status_code == 404


async def test_seed_ids_as_written_are_not_found(client: httpx.AsyncClient, org: OrgCtx) -> None:
    """The seeds' literal ids name nothing in a fresh org: 404, not an error of another kind."""
    h = _seed_001_headers(org)
    r = await client.get(f"/api-proxy/v1/spaces/{SEED_SPACE}/models?limit=5", headers=h)
    assert r.status_code == 404
    assert r.json()["code"] == "space_not_found"
    r = await client.delete(f"/api-proxy/v1/spaces/{SEED_SPACE}/models/{SEED_MODEL}", headers=h)
    assert r.status_code == 404
    space = await new_space(client, org)
    r = await client.post(
        f"/api-proxy/v1/spaces/{space}/models",
        headers={**h, "Idempotency-Key": "abcdef-123456"},
        json={"tenant_model_id": SEED_MODEL},
    )
    assert r.status_code == 404
    assert r.json()["code"] == "model_not_found"


async def test_malformed_uuid_has_the_seed_error_shape(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    r = await client.get("/api-proxy/v1/spaces/not-a-uuid/models", headers=org.headers)
    assert r.status_code == 422
    assert r.json() == {
        "detail": [
            {
                "loc": ["path", "space_id"],
                "msg": "Input should be a valid UUID",
                "type": "uuid_parsing",
                "input": "not-a-uuid",
            }
        ]
    }
    space = await new_space(client, org)
    r = await client.delete(f"/v1/spaces/{space}/models/nope", headers=org.headers)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["path", "tenant_model_id"]


async def test_unauthenticated_is_401(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await new_space(client, org)
    for prefix in ("/api-proxy/v1", "/v1"):
        r = await client.get(f"{prefix}/spaces/{space}/models")
        assert r.status_code == 401
        r = await client.get(
            f"{prefix}/spaces/{space}/models", headers={"Authorization": "Bearer sg_wrong"}
        )
        assert r.status_code == 401


async def test_permission_missing_is_403(client: httpx.AsyncClient, org: OrgCtx) -> None:
    space = await new_space(client, org)
    model = await make_model(client, org)
    r = await client.post(
        "/v1/api-keys",
        json={"name": "reader", "permissions": ["entitlements:list"]},
        headers=org.headers,
    )
    assert r.status_code == 201, r.text
    reader = {"Authorization": f"Bearer {r.json()['key']}"}
    r = await client.get(f"/api-proxy/v1/spaces/{space}/models", headers=reader)
    assert r.status_code == 200
    r = await client.post(
        f"/api-proxy/v1/spaces/{space}/models",
        json={"tenant_model_id": model["tenant_model_id"]},
        headers={**reader, "Idempotency-Key": "k-403"},
    )
    assert r.status_code == 403
    assert r.json()["code"] == "permission_denied"
    r = await client.get(f"/api-proxy/v1/spaces/{space}/models", headers=org.headers)
    assert r.json()["data"] == []
