"""Fixtures of the limits tests: the gateway's (a live Spacegate in front of the fake provider)
and the Redis ones (a client of the test Redis, and a key prefix of the test's own, cleared
afterwards)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from tests.gateway.conftest import World, api, fake_upstream, live, world
from tests.servers import require_service

__all__ = ["World", "api", "fake_upstream", "live", "prefix", "redis", "redis_url", "world"]


@pytest.fixture
def redis_url() -> str:
    return require_service("SPACEGATE_TEST_REDIS_URL", "Redis")


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def prefix(redis: Redis) -> AsyncIterator[str]:
    prefix = f"t{uuid.uuid4().hex[:12]}"
    yield prefix
    keys = await redis.keys(f"{prefix}:*")
    if keys:
        await redis.delete(*keys)
