"""A live Spacegate (allowed to reach loopback providers) in front of the fake provider, and a
space with a model entitled in it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from spacegate.config import Settings
from spacegate.runtime import Runtime
from tests.factories import OrgCtx, make_org
from tests.fakes.provider import FakeProvider
from tests.live import LiveServer

PROVIDER_KEY = "sk-proj-gatewaytestKEY0123456789abcdef"


@pytest.fixture(scope="session")
def fake_upstream() -> Iterator[FakeProvider]:
    with FakeProvider(first_byte_delay=0.2, drip_delay=0.01, drip_pieces=5) as fake:
        yield fake


@pytest.fixture(scope="session")
def live(settings: Settings) -> Iterator[LiveServer]:
    gw_settings = settings.model_copy(update={"allow_private_networks": True})
    with LiveServer(gw_settings) as server:
        yield server


@pytest.fixture
async def api(live: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as client:
        yield client


@dataclass
class World:
    """An org with a space, a provider on the fake upstream and one model entitled there."""

    org: OrgCtx
    space_id: str
    provider_id: str
    model_id: str
    alias: str
    api: httpx.AsyncClient
    fake: FakeProvider

    @property
    def headers(self) -> dict[str, str]:
        return {**self.org.headers, "X-Space-Id": self.space_id}

    async def provider(self, type_: str = "openai", **fields: Any) -> str:
        base = f"{self.fake.url}/v1" if type_ == "openai" else self.fake.url
        body = {
            "name": f"p-{uuid.uuid4().hex[:8]}",
            "type": type_,
            "base_url": base,
            "api_key": PROVIDER_KEY,
        }
        r = await self.api.post("/v1/providers", json={**body, **fields}, headers=self.org.headers)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    async def model(
        self, alias: str | None = None, *, entitle: bool = True, **fields: Any
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"alias": alias or f"m-{uuid.uuid4().hex[:8]}", **fields}
        if "targets" not in fields:
            body |= {"provider_id": self.provider_id, "upstream_model": "fake-model"}
        r = await self.api.post("/v1/tenant-models", json=body, headers=self.org.headers)
        assert r.status_code == 201, r.text
        model: dict[str, Any] = r.json()
        if entitle:
            await self.entitle(model["tenant_model_id"])
        return model

    async def entitle(self, model_id: str, space_id: str | None = None) -> None:
        r = await self.api.post(
            f"/api-proxy/v1/spaces/{space_id or self.space_id}/models",
            json={"tenant_model_id": model_id},
            headers={**self.org.headers, "Idempotency-Key": uuid.uuid4().hex},
        )
        assert r.status_code == 201, r.text

    async def mechamental(self, method: str, alias: str, **body: Any) -> httpx.Response:
        path = f"/v1/orgs/{self.org.org_id}/workspaces/{self.space_id}/model-entitlements/{alias}"
        return await self.api.request(method, path, json=body or None, headers=self.org.headers)


@pytest.fixture
async def world(runtime: Runtime, api: httpx.AsyncClient, fake_upstream: FakeProvider) -> World:
    fake_upstream.clear()
    org = await make_org(runtime)
    r = await api.post(
        "/v1/spaces", json={"name": "team", "description": "gateway"}, headers=org.headers
    )
    assert r.status_code == 201, r.text
    space_id = str(r.json()["id"])
    w = World(org, space_id, "", "", "", api, fake_upstream)
    w.provider_id = await w.provider()
    model = await w.model("chat-model", context_window=8192)
    w.model_id, w.alias = model["tenant_model_id"], model["alias"]
    return w
