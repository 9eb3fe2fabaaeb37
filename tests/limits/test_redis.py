"""The Redis backend against the real Redis: the same decisions as the in-process limiter, exact
across two Spacegate instances, and a Redis that stops answering mid-run costs no 5xx: rate limits
fall back to this process at limit / instances, budgets fail closed, and both recover."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from spacegate.config import Settings
from spacegate.kit import metrics
from spacegate.limits.backends import (
    Admission,
    BudgetItem,
    InProcessBackend,
    LeaseItem,
    RateItem,
    RedisBackend,
    Settlement,
)
from spacegate.limits.gcra import Rate
from spacegate.runtime import Runtime
from tests.factories import OrgCtx, make_org
from tests.fakes.provider import FakeProvider
from tests.gateway.conftest import World
from tests.limits.stall import StallableRelay
from tests.live import LiveServer
from tests.servers import require_service

MSG = [{"role": "user", "content": "hello there"}]


@pytest.fixture
def redis_url() -> str:
    return require_service("SPACEGATE_TEST_REDIS_URL", "Redis")


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def prefix() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


async def test_lua_decides_like_the_in_process_limiter(redis: Redis, prefix: str) -> None:
    """Random scripts of multi-key checks, budgets, leases and settlements, run against both.
    Windows are an hour long, so the milliseconds between the two runs change nothing."""
    rng = random.Random(5)
    for script in range(20):
        shared, local = RedisBackend(redis, prefix), InProcessBackend()
        rates = [Rate(rng.randint(1, 8), 3600), Rate(rng.randint(5, 40), 3600)]
        budget = rng.randint(5, 60)
        for step in range(25):
            req = Admission(
                rates=[
                    RateItem(f"{prefix}:{{o}}:{script}:r{i}", r, rng.randint(1, 4))
                    for i, r in enumerate(rates)
                ],
                budgets=[
                    BudgetItem(f"{prefix}:{{o}}:{script}:b", budget, rng.randint(0, 9), 600, 0)
                ],
                lease=LeaseItem(f"{prefix}:{{o}}:{script}:c", 3, f"l{step}", 600),
            )
            a, b = await shared.admit(req), local.admit_now(req)
            assert (a.allowed, a.used, a.budget_ok, a.lease_ok) == (
                b.allowed,
                b.used,
                b.budget_ok,
                b.lease_ok,
            ), (script, step)
            assert [(r.allowed, r.remaining) for r in a.rates] == [
                (r.allowed, r.remaining) for r in b.rates
            ]
            if a.allowed and rng.random() < 0.5:
                s = Settlement(
                    rates=[(req.rates[0].key, rates[0], rng.randint(-3, 3))],
                    budgets=[(req.budgets[0].key, rng.randint(-4, 4), 600)],
                    lease=(req.lease.key, req.lease.lease) if req.lease else None,
                )
                await shared.settle(s)
                local.settle_now(s)
    keys = await redis.keys(f"{prefix}:*")
    await redis.delete(*keys) if keys else None


async def _paced(
    clients: list[httpx.AsyncClient],
    path: str,
    headers: dict[str, str],
    rate: float,
    seconds: float,
) -> tuple[list[int], float, float]:
    """Send at ``rate`` per second for ``seconds``, alternating instances; statuses, time spent
    sending, and time until the last answer."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks = []
    i = 0
    while (now := loop.time()) - start < seconds:
        tasks.append(asyncio.create_task(clients[i % 2].get(path, headers=headers)))
        i += 1
        await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
    sending = now - start
    answers = await asyncio.gather(*tasks)
    return [r.status_code for r in answers], sending, loop.time() - start


async def test_two_instances_admit_exactly_the_limit_at_three_times_the_rate(
    settings: Settings, runtime: Runtime, redis_url: str, prefix: str
) -> None:
    # Both instances share this process (and its GIL) with the load generator: a generous Redis
    # timeout keeps a busy moment from being mistaken for an outage (that path is tested below).
    shared = settings.model_copy(
        update={
            "redis_url": redis_url,
            "limits_redis_prefix": prefix,
            "limits_instances": 2,
            "limits_redis_timeout_ms": 5000,
        }
    )
    burst, per_second = 20, 20.0
    fallbacks = _fallbacks()
    with LiveServer(shared) as one, LiveServer(shared) as two:
        async with (
            httpx.AsyncClient(base_url=one.url, timeout=30) as a,
            httpx.AsyncClient(base_url=two.url, timeout=30) as b,
        ):
            org = await make_org(runtime)
            r = await a.put(
                f"/v1/orgs/{org.org_id}/rate-limit",
                json={"rate_limit": f"{burst}/second"},
                headers=org.headers,
            )
            assert r.status_code == 200
            await asyncio.sleep(0.2)  # the change reaches instance two (pub/sub)
            await asyncio.sleep(1.1)  # and the bucket is full again after the PUT
            statuses, sending, total = await _paced(
                [a, b], f"/v1/orgs/{org.org_id}", org.headers, 3 * per_second, 3.0
            )
    admitted = statuses.count(200)
    assert _fallbacks() == fallbacks  # Redis decided every call
    assert set(statuses) <= {200, 429}
    assert admitted <= burst + per_second * total
    assert admitted >= 0.98 * (burst + per_second * sending) - 1, (admitted, sending)


async def test_token_budget_holds_across_instances_with_concurrent_streams(
    settings: Settings, runtime: Runtime, redis_url: str, prefix: str, fake_upstream: FakeProvider
) -> None:
    shared = settings.model_copy(
        update={
            "redis_url": redis_url,
            "limits_redis_prefix": prefix,
            "allow_private_networks": True,
        }
    )
    with LiveServer(shared) as one, LiveServer(shared) as two:
        async with (
            httpx.AsyncClient(base_url=one.url, timeout=30) as a,
            httpx.AsyncClient(base_url=two.url, timeout=30) as b,
        ):
            world = await _world(runtime, a, fake_upstream, "fake-model+slow-drip")
            budget = 300
            r = await world.mechamental(
                "PATCH",
                world.alias,
                workspace_limits={"token_budget": {"limit": budget, "period": "day"}},
            )
            assert r.status_code == 200
            await asyncio.sleep(0.2)

            async def stream(client: httpx.AsyncClient) -> int:
                body = {"model": world.alias, "messages": MSG, "max_tokens": 40, "stream": True}
                async with client.stream(
                    "POST", "/v1/chat/completions", json=body, headers=world.headers
                ) as resp:
                    await resp.aread()
                    return resp.status_code

            statuses = await asyncio.gather(*(stream((a, b)[i % 2]) for i in range(24)))
            assert set(statuses) <= {200, 402}
            assert 0 < statuses.count(200) < 24
            await asyncio.sleep(0.5)  # both meters write the ledger
            r = await a.get("/v1/me/entitlements", headers=world.headers)
            used = float(r.json()["data"][0]["budgets"]["token_budget"]["used"])
            assert 0 < used <= budget


async def _world(
    runtime: Runtime, api: httpx.AsyncClient, fake: FakeProvider, upstream: str
) -> World:
    org = await make_org(runtime)
    r = await api.post("/v1/spaces", json={"name": "s", "description": "d"}, headers=org.headers)
    w = World(org, str(r.json()["id"]), "", "", "", api, fake)
    w.provider_id = await w.provider()
    model = await w.model(
        f"m-{uuid.uuid4().hex[:6]}",
        targets=[{"provider_id": w.provider_id, "upstream_model": upstream}],
    )
    w.model_id, w.alias = model["tenant_model_id"], model["alias"]
    return w


def _fallbacks() -> float:
    return sum(
        s.value
        for m in metrics.limits_fallback.collect()
        for s in m.samples
        if s.name.endswith("_total")
    )


async def test_redis_stalled_mid_run_fails_open_for_rates_closed_for_budgets_and_recovers(
    settings: Settings,
    runtime: Runtime,
    redis_url: str,
    redis: Redis,
    prefix: str,
    fake_upstream: FakeProvider,
) -> None:
    relay = await StallableRelay(redis_url).start()
    try:
        cfg = settings.model_copy(
            update={
                "redis_url": relay.url,
                "limits_redis_prefix": prefix,
                "allow_private_networks": True,
                "limits_instances": 2,
            }
        )
        with LiveServer(cfg) as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as api:
                await _stall_scenario(runtime, api, relay, redis, prefix, fake_upstream)
    finally:
        await relay.stop()
        keys = await redis.keys(f"{prefix}:*")
        if keys:
            await redis.delete(*keys)


async def _stall_scenario(
    runtime: Runtime,
    api: httpx.AsyncClient,
    relay: StallableRelay,
    redis: Redis,
    prefix: str,
    fake: FakeProvider,
) -> None:
    world = await _world(runtime, api, fake, "fake-model")
    org: OrgCtx = world.org
    budgeted = world.alias
    open_model = (await world.model(f"o-{uuid.uuid4().hex[:6]}"))["alias"]
    r = await world.mechamental(
        "PATCH", budgeted, workspace_limits={"token_budget": {"limit": 100000, "period": "day"}}
    )
    assert r.status_code == 200
    assert (
        await api.put(
            f"/v1/orgs/{org.org_id}/rate-limit", json={"rate_limit": "10/hour"}, headers=org.headers
        )
    ).status_code == 200

    async def chat(alias: str) -> httpx.Response:
        body = {"model": alias, "messages": MSG, "max_tokens": 5}
        return await api.post("/v1/chat/completions", json=body, headers=world.headers)

    # Healthy: state lives in Redis.
    assert (await chat(budgeted)).status_code == 200
    assert (await api.get(f"/v1/orgs/{org.org_id}", headers=org.headers)).status_code == 200
    assert await redis.keys(f"{prefix}:{{{org.org_id}}}:*")

    before = _fallbacks()
    relay.stall()
    # Rates fail open to this process at 10 / 2 instances = 5 per hour; never a 5xx.
    statuses = [
        (await api.get(f"/v1/orgs/{org.org_id}", headers=org.headers)).status_code for _ in range(7)
    ]
    assert statuses == [200] * 5 + [429] * 2
    # Budgets fail closed, with their own code; a model without a budget still answers.
    refused = await chat(budgeted)
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "limits_unavailable"
    assert refused.headers["Retry-After"] == "1"
    assert (await chat(open_model)).status_code == 200
    assert _fallbacks() > before

    relay.resume()
    await asyncio.sleep(1.2)  # the circuit breaker's cool-down
    for _ in range(50):  # the first calls may still meet a connection the stall broke
        r = await chat(budgeted)
        if r.status_code == 200:
            break
        await asyncio.sleep(0.2)
    assert r.status_code == 200  # Redis decides again
    r = await api.get(f"/v1/orgs/{org.org_id}", headers=org.headers)
    assert r.status_code == 200
    assert '"org-hour";r=' in r.headers["RateLimit"]
