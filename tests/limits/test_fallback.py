"""Redis unreachable, as each mode promises: rate limits open at limit / instances, budgets closed
by default or open to this process's counters when configured; every fallback counted and the
outage logged once per cool-down, not once per call."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from spacegate.kit import metrics
from spacegate.limits.backends import Admission, BudgetItem, InProcessBackend, RateItem
from spacegate.limits.fallback import FailureMode, Resilient
from spacegate.limits.gcra import Rate
from spacegate.limits.shared import RedisBackend


@pytest.fixture
async def nowhere() -> AsyncIterator[Redis]:
    """A client of a port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = Redis(host="127.0.0.1", port=port, retry=Retry(NoBackoff(), 0))
    yield client
    await client.aclose()


def _counted(kind: str, mode: str) -> float:
    labels = {"kind": kind, "mode": mode}
    return metrics.registry.get_sample_value("spacegate_limits_fallback_total", labels) or 0.0


def _resilient(redis: Redis, mode: FailureMode) -> Resilient:
    return Resilient(
        RedisBackend(redis, "t"), InProcessBackend(), instances=4, budget_mode=mode, timeout_s=1
    )


def _call(n: int) -> Admission:
    return Admission(
        rates=[RateItem("t:{o}:r", Rate(8, 3600), 1)],
        budgets=[BudgetItem("t:{o}:b", 100, 10, 3600, seed=0)] if n else [],
    )


@pytest.mark.parametrize("mode", ["closed", "open"])
async def test_budgets_follow_their_mode_and_rates_open_at_their_share(
    nowhere: Redis, mode: FailureMode, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = _resilient(nowhere, mode)
    rates0, budgets0 = _counted("rate", "open"), _counted("budget", mode)
    with caplog.at_level(logging.WARNING, logger="spacegate.limits.fallback"):
        # Rate limits only: this process admits 8 / 4 instances = 2 per hour.
        rated = [(await limiter.admit(_call(0)))[0].allowed for _ in range(3)]
        budgeted, on_redis = await limiter.admit(_call(1))
    assert rated == [True, True, False]
    assert not on_redis
    if mode == "closed":
        assert not budgeted.allowed and budgeted.unavailable
    else:
        assert budgeted.allowed is False  # the rate share is spent...
        budgeted, _ = await limiter.admit(
            Admission(budgets=[BudgetItem("t:{o}:b2", 100, 10, 3600, seed=0)])
        )
        assert budgeted.allowed and budgeted.used == [0.0]  # ...the budget alone is let through
    assert _counted("rate", "open") - rates0 >= 3
    assert _counted("budget", mode) - budgets0 >= 1
    outage = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(outage) == 1  # once per cool-down, not once per call
    assert f"budgets fail {mode}" in outage[0].getMessage()
    await limiter.primary.flush()
