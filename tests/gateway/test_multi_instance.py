"""Two Spacegate instances on one database: a revocation on one reaches the other through Redis."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from spacegate.config import Settings
from spacegate.runtime import Runtime
from tests.factories import make_org
from tests.fakes.provider import FakeProvider
from tests.gateway.conftest import World
from tests.live import LiveServer
from tests.servers import require_service

MSG = [{"role": "user", "content": "hi"}]


@pytest.fixture
def redis_url() -> str:
    return require_service("SPACEGATE_TEST_REDIS_URL", "Redis")


async def test_revocation_reaches_the_other_instance_through_redis(
    settings: Settings, runtime: Runtime, fake_upstream: FakeProvider, redis_url: str
) -> None:
    # Caches that never expire by themselves: the only way instance two can learn of the
    # revocation is the invalidation message through Redis.
    shared = settings.model_copy(
        update={"allow_private_networks": True, "redis_url": redis_url, "cache_ttl_seconds": 3600.0}
    )
    with LiveServer(shared) as one, LiveServer(shared) as two:
        async with (
            httpx.AsyncClient(base_url=one.url, timeout=30) as api_one,
            httpx.AsyncClient(base_url=two.url, timeout=30) as api_two,
        ):
            org = await make_org(runtime)
            r = await api_one.post(
                "/v1/spaces", json={"name": "s", "description": "d"}, headers=org.headers
            )
            w = World(org, str(r.json()["id"]), "", "", "", api_one, fake_upstream)
            w.provider_id = await w.provider()
            model = await w.model("shared-model")
            body = {"model": "shared-model", "messages": MSG}
            # Instance two serves (and caches) the entitlement.
            for _ in range(3):
                assert (
                    await api_two.post("/v1/chat/completions", json=body, headers=w.headers)
                ).status_code == 200
            r = await api_one.delete(
                f"/api-proxy/v1/spaces/{w.space_id}/models/{model['tenant_model_id']}",
                headers=org.headers,
            )
            assert r.status_code == 204
            deadline = time.monotonic() + 15  # a guard against hanging, not a speed requirement
            status = 200
            while status == 200 and time.monotonic() < deadline:
                status = (
                    await api_two.post("/v1/chat/completions", json=body, headers=w.headers)
                ).status_code
                await asyncio.sleep(0.02)
            assert status == 403, "instance two kept serving a revoked entitlement"
