"""The rate_limit policy across replicas: two app instances sharing Redis admit exactly the
policy's limit between them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from spacegate.config import Settings
from spacegate.main import create_app
from tests.factories import make_org, make_space
from tests.fakes.provider import FakeProvider
from tests.servers import require_service


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    url = require_service("SPACEGATE_TEST_REDIS_URL", "Redis")
    prefix = f"t{uuid.uuid4().hex[:12]}"
    yield prefix
    redis = Redis.from_url(url)
    keys = await redis.keys(f"{prefix}:*")
    if keys:
        await redis.delete(*keys)
    await redis.aclose()


async def test_two_replicas_share_the_limit(
    settings: Settings, prefix: str, fake: FakeProvider
) -> None:
    shared = settings.model_copy(
        update={
            "redis_url": require_service("SPACEGATE_TEST_REDIS_URL", "Redis"),
            "limits_redis_prefix": prefix,
            "limits_redis_timeout_ms": 5000,
            "allow_private_networks": True,
        }
    )
    one, two = create_app(shared), create_app(shared)
    async with one.router.lifespan_context(one), two.router.lifespan_context(two):
        assert one.state.limits.shared is not None and two.state.limits.shared is not None
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=one), base_url="http://a") as a,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=two), base_url="http://b") as b,
        ):
            org = await make_org(one.state.runtime)
            space = await make_space(a, org, "replicas")
            here = {**org.headers, "X-Space-Id": str(space["id"])}
            r = await a.post(
                "/api/v1/models/",
                json={
                    "name": "m",
                    "configuration": {"api_key": "k", "base_url": f"{fake.url}/v1", "model": "x"},
                },
                headers=here,
            )
            assert r.status_code == 201, r.text
            r = await a.post(
                "/api/v1/endpoints/",
                json={
                    "name": "E",
                    "slug": "shared",
                    "model_id": r.json()["id"],
                    "response_type": "summary",
                },
                headers=here,
            )
            assert r.status_code == 201, r.text
            r = await a.post(
                "/api/v1/policies/",
                json={
                    "name": "four",
                    "policy_type": "rate_limit",
                    "configuration": {"limit": "4/h", "scope": "global"},
                    "endpoint_id": r.json()["id"],
                },
                headers=here,
            )
            assert r.status_code == 201, r.text
            statuses = []
            for i in range(10):
                client = (a, b)[i % 2]
                q = await client.post(
                    "/api/v1/endpoints/shared/query", json={"messages": "x"}, headers=here
                )
                statuses.append(q.status_code)
    assert statuses.count(200) == 4 and statuses.count(429) == 6, statuses
    assert statuses[:4] == [200] * 4
