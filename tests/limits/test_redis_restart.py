"""Redis killed mid-run (``kill -9``) and started again empty, as a Redis without persistence
comes back: no 5xx but the budgets' documented 503 while it is away, and once it is back a budget
spent before the crash is still spent: its total is read again from the durable usage ledger, never
started from zero."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
from collections.abc import Iterator

import httpx
import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from spacegate.config import Settings
from spacegate.runtime import Runtime
from tests.fakes.provider import FakeProvider
from tests.limits.test_redis import MSG, _world
from tests.live import LiveServer
from tests.procs import free_port
from tests.servers import require_service


class _PrivateRedis:
    """A ``redis-server`` of this test's own, on a port of its own, killed and started at will."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("needs the redis-server program")
        self.binary = binary
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _spawn(self) -> None:
        argv = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    async def start(self) -> None:
        """Start it (empty) and wait until it answers."""
        self._spawn()
        client = Redis.from_url(self.url)
        try:
            for _ in range(100):
                with contextlib.suppress(OSError, RedisError):  # (while it starts)
                    if await client.ping():
                        return
                await asyncio.sleep(0.05)
        finally:
            await client.aclose()
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def private_redis() -> Iterator[_PrivateRedis]:
    require_service("SPACEGATE_TEST_REDIS_URL", "Redis")  # runs where the Redis tests run
    server = _PrivateRedis()
    yield server
    server.kill()


async def test_redis_killed_and_restarted_empty_keeps_spent_budgets_spent(
    settings: Settings,
    runtime: Runtime,
    fake_upstream: FakeProvider,
    private_redis: _PrivateRedis,
) -> None:
    await private_redis.start()
    cfg = settings.model_copy(
        update={
            "redis_url": private_redis.url,
            "allow_private_networks": True,
            "limits_instances": 2,
        }
    )
    with LiveServer(cfg) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as api:
            world = await _world(runtime, api, fake_upstream, "fake-model")
            r = await world.mechamental(
                "PATCH",
                world.alias,
                workspace_limits={"token_budget": {"limit": 300, "period": "day"}},
            )
            assert r.status_code == 200

            async def chat() -> httpx.Response:
                body = {"model": world.alias, "messages": MSG, "max_tokens": 10}
                return await api.post("/v1/chat/completions", json=body, headers=world.headers)

            # Spend the budget with Redis up.
            spent = 0
            while (r := await chat()).status_code == 200:
                spent += r.json()["usage"]["total_tokens"]
            assert r.status_code == 402 and spent > 0
            await asyncio.sleep(0.3)  # the meter writes the ledger

            private_redis.kill()
            org = f"/v1/orgs/{world.org.org_id}"
            while_down = [await chat(), await api.get(org, headers=world.org.headers)]
            # Budgets fail closed with their own 503; rate limits fail open: no other 5xx.
            assert while_down[0].status_code == 503
            assert while_down[0].json()["error"]["code"] == "limits_unavailable"
            assert while_down[1].status_code == 200

            await private_redis.start()  # empty: no script, no counters
            await asyncio.sleep(1.2)  # the circuit breaker's cool-down
            for _ in range(50):  # the first call may meet the connection the kill broke
                r = await chat()
                if r.status_code != 503:
                    break
                await asyncio.sleep(0.2)
            # Redis decides again, from the ledger: what was spent stays spent.
            assert r.status_code == 402, r.text
            assert r.json()["error"]["code"] == "token_budget_exhausted"
            assert f"{spent} used" in r.json()["error"]["message"]
            # And what is left is admitted again once the limit is raised.
            r = await world.mechamental(
                "PATCH",
                world.alias,
                workspace_limits={"token_budget": {"limit": spent + 300, "period": "day"}},
            )
            assert r.status_code == 200
            assert (await chat()).status_code == 200
