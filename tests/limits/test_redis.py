"""The Redis backend against the real Redis: the same decisions as the in-process limiter, exact
across two Spacegate instances, and a Redis that stops answering mid-run costs no 5xx: rate limits
fall back to this process at limit / instances, budgets fail closed, and both recover."""

from __future__ import annotations

import asyncio
import random
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path

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
    Settlement,
)
from spacegate.limits.gcra import Rate
from spacegate.limits.shared import RedisBackend
from spacegate.runtime import Runtime
from tests.factories import OrgCtx, make_org
from tests.fakes.provider import FakeProvider
from tests.gateway.conftest import World
from tests.limits import procs
from tests.limits.stall import StallableRelay
from tests.live import LiveServer

MSG = [{"role": "user", "content": "hello there"}]


async def test_lua_decides_like_the_in_process_limiter(redis: Redis, prefix: str) -> None:
    """Random scripts of multi-key checks, budgets, leases, settlements and limit changes (the
    units used carry over), run against both. Windows are an hour long, so the milliseconds
    between the two runs change nothing."""
    rng = random.Random(5)
    for script in range(20):
        shared, local = RedisBackend(redis, prefix), InProcessBackend()
        rates = [Rate(rng.randint(1, 8), 3600), Rate(rng.randint(5, 40), 3600)]
        budget = rng.randint(5, 60)
        for step in range(25):
            if rng.random() < 0.15:  # an admin raises or lowers one limit
                i = rng.randrange(2)
                rates[i] = Rate(rng.randint(1, 40), 3600)
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
        await shared.flush()
    keys = await redis.keys(f"{prefix}:*")
    await redis.delete(*keys) if keys else None


async def test_a_busy_process_is_not_a_redis_outage(redis: Redis, prefix: str) -> None:
    """An answer that arrives while this process's event loop is blocked (a long garbage
    collection, a burst of CPU-bound work) is read once the loop is back: the time the loop was
    away is not charged to Redis, so a busy instance does not fail its budgets closed."""
    backend = RedisBackend(redis, prefix)
    req = Admission(rates=[RateItem(f"{prefix}:{{o}}:busy", Rate(10, 60), 1)])
    assert (await backend.admit(req)).allowed  # the connection and the script are ready
    backend.timeout_s = 0.05
    check = asyncio.ensure_future(backend.admit(req))
    await asyncio.sleep(0)  # the check is queued and its writer about to send it...
    asyncio.get_running_loop().call_soon(time.sleep, 0.2)  # ...when the loop blocks, 4x timeout
    outcome = await check
    assert outcome.allowed and outcome.rates[0].remaining == 8
    await backend.flush()
    await redis.delete(f"{prefix}:{{o}}:busy")


def _shared(redis_url: str, prefix: str, **extra: str) -> dict[str, str]:
    """Settings of instances sharing the test's Redis (``procs.instances`` names)."""
    return {
        "REDIS_URL": redis_url,
        "LIMITS_REDIS_PREFIX": prefix,
        # A busy machine must not pass for a Redis outage (rates would fall back, budgets fail
        # closed; that path is tested below).
        "LIMITS_REDIS_TIMEOUT_MS": "5000",
        **extra,
    }


async def _paced(
    clients: list[httpx.AsyncClient],
    path: str,
    headers: dict[str, str],
    rate: float,
    seconds: float,
) -> tuple[list[int], float]:
    """Send at ``rate`` per second for ``seconds``, alternating instances; the statuses, and the
    time from the first request sent to the last answer received."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks = []
    i = 0
    while loop.time() - start < seconds:
        tasks.append(asyncio.create_task(clients[i % 2].get(path, headers=headers)))
        i += 1
        await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
    answers = await asyncio.gather(*tasks)
    return [r.status_code for r in answers], loop.time() - start


class _Witness:
    """When Redis decided each check of one key, by Redis's own clock (``MONITOR``): the span
    over which the limiter really decided, whatever delayed requests on their way."""

    def __init__(self, redis_url: str, key: str) -> None:
        self.client = Redis.from_url(redis_url)
        self.key = key
        self.marker = f"{key}:end-of-run"
        self.times: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> _Witness:
        ready = asyncio.Event()
        self._task = asyncio.create_task(self._watch(ready))
        await ready.wait()
        return self

    async def _watch(self, ready: asyncio.Event) -> None:
        async with self.client.monitor() as monitor:
            ready.set()
            while True:
                seen = await monitor.next_command()
                command = seen["command"]
                if self.marker in command:
                    return
                if seen["client_type"] == "tcp" and command.startswith("EVAL"):
                    # One script run may decide several calls: each names the key once.
                    self.times += [seen["time"]] * command.split(" ").count(self.key)

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        await self.client.get(self.marker)  # seen last: every decision before it was read
        await asyncio.wait_for(self._task, 30)
        await self.client.aclose()

    @property
    def span(self) -> float:
        return self.times[-1] - self.times[0]


async def test_two_instances_admit_exactly_the_limit_at_three_times_the_rate(
    settings: Settings,
    runtime: Runtime,
    redis_url: str,
    prefix: str,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    """Two ``spacegate serve`` processes on one database and one Redis, load alternating between
    them at 3x an org limit of 100 per 5 s (20/s, burst 100): admitted <= burst + rate x T, T
    being the span over which Redis decided, and >= 98% of what a perfect token bucket admits
    from the same arrivals at the same instants (by Redis's clock), so a busy machine that delays
    requests cannot fail the test while a limiter that wastes capacity does."""
    burst, per_second, seconds = 100, 20.0, 6.0
    org = await make_org(runtime)
    path = f"/v1/orgs/{org.org_id}"
    env = _shared(redis_url, prefix, LIMITS_INSTANCES="2")
    with procs.instances(settings, tmp_path, 2, **env) as (one, two):
        async with (
            httpx.AsyncClient(base_url=one.url, timeout=60) as a,
            httpx.AsyncClient(base_url=two.url, timeout=60) as b,
        ):
            r = await a.put(
                f"{path}/rate-limit", json={"rate_limit": f"{burst}/5seconds"}, headers=org.headers
            )
            assert r.status_code == 200
            # Both instances apply the new limit (instance two hears of it through Redis), and
            # have their caches and the limiter's script warm before the clock starts.
            full_in = 0
            for client in (a, b):
                for _ in range(100):
                    r = await client.get(path, headers=org.headers)
                    if f'"org-5seconds";q={burst};w=5' in r.headers.get("RateLimit-Policy", ""):
                        break
                    await asyncio.sleep(0.05)
                state = r.headers["RateLimit"]
                assert '"org-5seconds";r=' in state, state
                full_in = max(full_in, int(state.rsplit(";t=", 1)[1]))
            await asyncio.sleep(full_in + 0.2)  # the bucket is full again
            async with _Witness(redis_url, f"{prefix}:{{{org.org_id}}}:org:5") as seen:
                statuses, total = await _paced([a, b], path, org.headers, 3 * per_second, seconds)
        assert one.fallbacks() == 0 and two.fallbacks() == 0  # Redis decided every call
    admitted = statuses.count(200)
    ideal = _bucket(burst, per_second, seen.times)
    record_property("admitted_over_ideal", round(admitted / ideal, 4))
    assert set(statuses) <= {200, 429}
    assert len(seen.times) == len(statuses)
    # Exact: nothing is admitted beyond the burst plus what refilled while anyone was asking...
    assert admitted <= burst + per_second * total
    assert admitted <= burst + per_second * (seen.span + 0.005), (admitted, seen.span)
    # ...and all of that is admitted, to within 2%, when requests were there to take it.
    assert admitted >= 0.98 * ideal, (admitted, ideal, seen.span)
    assert admitted <= ideal + 2, (admitted, ideal)  # microseconds between MONITOR and the script


def _bucket(burst: int, per_second: float, times: list[float]) -> int:
    """How many of these arrivals (by Redis's clock) a perfect token bucket admits, starting
    full: the lower bound the limiter must reach. A stall of the load while the bucket is full
    (just after the first call, on a busy machine) wastes refill that no limiter could use."""
    level, last, admitted = float(burst), times[0], 0
    for t in times:
        level, last = min(float(burst), level + (t - last) * per_second), t
        if level >= 1.0 - 1e-9:
            level -= 1.0
            admitted += 1
    return admitted


async def test_token_budget_holds_across_instances_with_concurrent_streams(
    settings: Settings,
    runtime: Runtime,
    redis_url: str,
    prefix: str,
    fake_upstream: FakeProvider,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two ``spacegate serve`` processes, 24 streams at once alternating between them, against
    a budget with room for a few: the reservations admitted never add up to more than the
    budget (each instance on its own would admit as many again), and every one that fits is
    admitted. The streams last seconds, so every reservation is held at once."""
    monkeypatch.setattr(fake_upstream, "drip_delay", 0.1)  # 40 pieces: 4 s per stream
    env = _shared(redis_url, prefix, ALLOW_PRIVATE_NETWORKS="true")
    with procs.instances(settings, tmp_path, 2, **env) as (one, two):
        async with (
            httpx.AsyncClient(base_url=one.url, timeout=60) as a,
            httpx.AsyncClient(base_url=two.url, timeout=60) as b,
        ):
            world = await _world(runtime, a, fake_upstream, "fake-model+slow-drip")
            budget = 500
            r = await world.mechamental(
                "PATCH",
                world.alias,
                workspace_limits={"token_budget": {"limit": budget, "period": "day"}},
            )
            assert r.status_code == 200
            await asyncio.sleep(0.5)  # instance two hears of the change through Redis

            async def stream(client: httpx.AsyncClient) -> tuple[int, str]:
                body = {"model": world.alias, "messages": MSG, "max_tokens": 40, "stream": True}
                async with client.stream(
                    "POST", "/v1/chat/completions", json=body, headers=world.headers
                ) as resp:
                    await resp.aread()
                    return resp.status_code, resp.headers.get("RateLimit", "")

            answers = await asyncio.gather(*(stream((a, b)[i % 2]) for i in range(24)))
            assert {status for status, _ in answers} == {200, 402}
            # What each admitted call left of the budget, its reservation taken.
            left = [
                int(re.search(r'"token-budget";r=(\d+)', state).group(1))  # type: ignore[union-attr]
                for status, state in answers
                if status == 200
            ]
            reservation = budget - max(left)  # the first admitted saw the whole budget
            assert reservation > 0
            assert len(left) * reservation <= budget
            assert len(left) == budget // reservation
            assert sorted(left) == [budget - n * reservation for n in range(len(left), 0, -1)]
            await asyncio.sleep(0.5)  # both meters write the ledger
            r = await a.get("/v1/me/entitlements", headers=world.headers)
            used = float(r.json()["data"][0]["budgets"]["token_budget"]["used"])
            assert 0 < used <= budget
        assert one.fallbacks() == 0 and two.fallbacks() == 0  # Redis decided every call


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
            f"/v1/orgs/{org.org_id}/rate-limit", json={"rate_limit": "30/hour"}, headers=org.headers
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
    # Rates fail open to this process at 30 / 2 instances = 15 per hour; never a 5xx.
    statuses = [
        (await api.get(f"/v1/orgs/{org.org_id}", headers=org.headers)).status_code
        for _ in range(17)
    ]
    assert statuses == [200] * 15 + [429] * 2
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
