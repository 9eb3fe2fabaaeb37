"""Two tenants that really used the platform: each org has two spaces, a provider on the fake
upstream (with a recognisable credential), a model entitled in both spaces, a key bound to
each space, and gateway calls made in both spaces through the live server.

Fixtures here are imported by the suites that need them (``from tests.guarantees.tenants
import gateway_server, upstream``), so they stay out of the shared conftest.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import func, select

from spacegate.config import Settings
from spacegate.models import InferenceLog
from spacegate.runtime import Runtime
from tests.factories import OrgCtx, make_org
from tests.fakes.provider import FakeProvider
from tests.live import LiveServer

CALLS_PER_SPACE = 3


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeProvider]:
    with FakeProvider() as fake:
        yield fake


@pytest.fixture(scope="module")
def gateway_server(settings: Settings) -> Iterator[LiveServer]:
    """A live server that may reach the fake provider on loopback."""
    update = {"allow_private_networks": True, "org_rate_limit": "100000/minute"}
    with LiveServer(settings.model_copy(update=update)) as server:
        yield server


@dataclass
class Tenant:
    org: OrgCtx
    provider_secret: str
    spaces: list[str] = field(default_factory=list)
    space_keys: list[str] = field(default_factory=list)
    space_key_ids: list[str] = field(default_factory=list)
    provider_id: str = ""
    model_id: str = ""
    alias: str = ""

    @property
    def ids(self) -> list[str]:
        """Every id of this tenant that another tenant must never see."""
        return [
            self.org.org_id,
            self.org.user_id,
            *self.spaces,
            *self.space_key_ids,
            self.provider_id,
            self.model_id,
        ]

    def key_headers(self, index: int) -> dict[str, str]:
        return {"X-API-Key": self.space_keys[index]}


async def make_tenant(api: httpx.AsyncClient, runtime: Runtime, fake: FakeProvider) -> Tenant:
    org = await make_org(runtime)
    tenant = Tenant(org, provider_secret=f"sk-canary-{uuid.uuid4().hex}")
    h = org.headers
    for name in ("alpha", "beta"):
        r = await api.post("/v1/spaces", json={"name": name, "description": "d"}, headers=h)
        assert r.status_code == 201, r.text
        tenant.spaces.append(str(r.json()["id"]))
    r = await api.post(
        "/v1/providers",
        json={
            "name": "upstream",
            "type": "openai",
            "base_url": f"{fake.url}/v1",
            "api_key": tenant.provider_secret,
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    tenant.provider_id = str(r.json()["id"])
    tenant.alias = f"chat-{uuid.uuid4().hex[:8]}"
    r = await api.post(
        "/v1/tenant-models",
        json={"alias": tenant.alias, "provider_id": tenant.provider_id, "upstream_model": "m"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    tenant.model_id = str(r.json()["tenant_model_id"])
    for space in tenant.spaces:
        r = await api.post(
            f"/api-proxy/v1/spaces/{space}/models",
            json={"tenant_model_id": tenant.model_id},
            headers={**h, "Idempotency-Key": uuid.uuid4().hex},
        )
        assert r.status_code == 201, r.text
        r = await api.post("/v1/api-keys", json={"name": "app", "space_id": space}, headers=h)
        assert r.status_code == 201, r.text
        tenant.space_keys.append(str(r.json()["key"]))
        tenant.space_key_ids.append(str(r.json()["id"]))
    for index in range(len(tenant.spaces)):
        for i in range(CALLS_PER_SPACE):
            r = await api.post(
                "/v1/chat/completions",
                json={
                    "model": tenant.alias,
                    "messages": [{"role": "user", "content": f"hello {i}"}],
                },
                headers={**tenant.key_headers(index), "X-Correlation-ID": f"c-{index}-{i}"},
            )
            assert r.status_code == 200, r.text
    await wait_for_logs(runtime, org.org_id, CALLS_PER_SPACE * len(tenant.spaces))
    return tenant


async def wait_for_logs(runtime: Runtime, org_id: str, expected: int) -> None:
    """The gateway meters in batches off the request path: wait until its rows are written."""
    query = (
        select(func.count())
        .select_from(InferenceLog)
        .where(InferenceLog.org_id == uuid.UUID(org_id))
    )
    count = 0
    for _ in range(400):
        async with runtime.read_sessions() as s:
            count = (await s.execute(query)).scalar_one()
        if count >= expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{count} inference logs written, {expected} expected")
