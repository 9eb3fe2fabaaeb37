"""Factories for entitlement tests: providers and models go through the registry's own routes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from spacegate.api.platform.providers import get_resolver
from tests.factories import OrgCtx, make_space


async def _public_dns(host: str, port: int) -> list[str]:
    return ["162.159.140.245"]  # no request is ever made: the registry only checks the URL


@pytest.fixture
def public_dns(app: FastAPI) -> Iterator[None]:
    """Provider base URLs resolve to a public address without querying real DNS."""
    app.dependency_overrides[get_resolver] = lambda: _public_dns
    yield
    app.dependency_overrides.pop(get_resolver, None)


async def make_provider(client: httpx.AsyncClient, org: OrgCtx) -> str:
    body = {
        "name": f"openai-{uuid.uuid4().hex[:8]}",
        "type": "openai",
        "base_url": "https://api.openai.com/v1",
        "api_key": "sk-test-0123456789abcdef",
    }
    r = await client.post("/v1/providers", json=body, headers=org.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def make_model(
    client: httpx.AsyncClient,
    org: OrgCtx,
    alias: str | None = None,
    *,
    provider_id: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A registry model; returns its ``TenantModelRead`` (``tenant_model_id``, ``alias``...)."""
    body = {
        "alias": alias or f"model-{uuid.uuid4().hex[:10]}",
        "provider_id": provider_id or await make_provider(client, org),
        "upstream_model": "gpt-4o-mini",
        **fields,
    }
    r = await client.post("/v1/tenant-models", json=body, headers=org.headers)
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


async def make_models(client: httpx.AsyncClient, org: OrgCtx, n: int) -> list[dict[str, Any]]:
    provider_id = await make_provider(client, org)
    return [await make_model(client, org, provider_id=provider_id) for _ in range(n)]


async def new_space(client: httpx.AsyncClient, org: OrgCtx) -> str:
    return str((await make_space(client, org))["id"])


async def allow(
    client: httpx.AsyncClient, org: OrgCtx, space_id: str, model_id: str, **extra: Any
) -> dict[str, Any]:
    r = await client.post(
        f"/api-proxy/v1/spaces/{space_id}/models",
        json={"tenant_model_id": model_id, **extra},
        headers={**org.headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


def me_path(org: OrgCtx, space_id: str, alias: str | None = None) -> str:
    """MechaMental's model-entitlements path for the caller's org."""
    base = f"/v1/orgs/{org.org_id}/workspaces/{space_id}/model-entitlements"
    return base if alias is None else f"{base}/{alias}"
