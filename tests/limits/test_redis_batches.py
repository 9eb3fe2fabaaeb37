"""Checks that queue up behind a Redis round trip go out together, one script run per org, and
each is still decided exactly as if it ran alone, in the order it was queued: the same answers as
the in-process limiter given the same calls one by one."""

from __future__ import annotations

import asyncio
import random

import pytest
from redis.asyncio import Redis

from spacegate.limits import wire
from spacegate.limits.backends import (
    Admission,
    BudgetItem,
    InProcessBackend,
    LeaseItem,
    Outcome,
    RateItem,
    Settlement,
)
from spacegate.limits.fallback import Resilient
from spacegate.limits.gcra import Rate
from spacegate.limits.lua import LUA_BATCH
from spacegate.limits.shared import RedisBackend


class _ScriptRuns:
    """The limiter's script runs that decide checks of keys under ``prefix``, and how many
    checks each decided (``MONITOR``: Redis's own account)."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis, self.prefix = redis, prefix
        self.checks: list[int] = []
        self.marker = f"{prefix}:end-of-run"

    async def __aenter__(self) -> _ScriptRuns:
        ready = asyncio.Event()
        self._task = asyncio.create_task(self._watch(ready))
        await ready.wait()
        return self

    async def _watch(self, ready: asyncio.Event) -> None:
        async with self.redis.monitor() as monitor:
            ready.set()
            while True:
                command = (await monitor.next_command())["command"]
                if self.marker in command:
                    return
                if command.startswith("EVALSHA") and f" {self.prefix}:" in command:
                    words = command.split(" ")
                    checks = int(words[3 + int(words[2]) + 4])  # ARGV[5]
                    if checks:
                        self.checks.append(checks)

    async def __aexit__(self, *exc: object) -> None:
        await self.redis.get(self.marker)
        await asyncio.wait_for(self._task, 30)


def _same(a: Outcome, b: Outcome) -> tuple[object, ...]:
    def view(o: Outcome) -> tuple[object, ...]:
        return (
            o.allowed,
            o.used,
            o.budget_ok,
            o.lease_ok,
            o.missing,
            [(r.allowed, r.remaining) for r in o.rates],
        )

    return view(a), view(b)


@pytest.mark.parametrize("max_checks", [wire.MAX_CHECKS, 7])
async def test_checks_queued_together_are_decided_one_by_one_in_order(
    redis: Redis, prefix: str, max_checks: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rounds of 40 checks over two orgs, queued at once behind settlements of the round
    before (charges, refunds, released leases): shared keys, refusals, budgets asking for their
    seed, dry runs, concurrency caps. Windows are an hour long, so the milliseconds between the
    two limiters change nothing. A batch longer than ``max_checks`` is split, still in order."""
    monkeypatch.setattr(wire, "MAX_CHECKS", max_checks)
    rng = random.Random(11)
    shared, local = RedisBackend(redis, prefix), InProcessBackend()
    orgs = ("{a}", "{b}")
    rates = {org: [Rate(rng.randint(3, 12), 3600), Rate(rng.randint(20, 60), 3600)] for org in orgs}
    budgets = {org: [rng.randint(20, 80), rng.randint(20, 80)] for org in orgs}
    memos: dict[tuple[str, int, bool, bool], dict[str, object]] = {}
    lease_no = 0
    admitted: list[Admission] = []
    kinds: set[str] = set()
    rounds, per_round = 8, 40
    await redis.script_load(LUA_BATCH)  # no run bounces off an empty script cache
    async with _ScriptRuns(redis, prefix) as seen:
        for _ in range(rounds):
            settlements = []
            for req in admitted:
                if rng.random() < 0.6:
                    settlements.append(
                        Settlement(
                            rates=[(r.key, r.rate, rng.randint(-3, 3)) for r in req.rates[1:]],
                            budgets=[(b.key, rng.randint(-4, 4), 600) for b in req.budgets],
                            lease=(req.lease.key, req.lease.lease) if req.lease else None,
                        )
                    )
            reqs = []
            for _ in range(per_round):
                org = rng.choice(orgs)
                which = rng.randint(0, 1)
                base = f"{prefix}:{org}"
                lease_no += 1
                lease, dry = rng.random() < 0.5, rng.random() < 0.1
                # Most calls come from a plan shared with others (sent once per batch).
                memo = (
                    memos.setdefault((org, which, lease, dry), {}) if rng.random() < 0.7 else None
                )
                reqs.append(
                    Admission(
                        rates=[
                            RateItem(f"{base}:r{which}", rates[org][which], rng.randint(1, 3)),
                            RateItem(f"{base}:tok", rates[org][1], rng.randint(0, 4)),
                        ],
                        budgets=[
                            BudgetItem(
                                f"{base}:b{which}",
                                budgets[org][which],
                                rng.randint(0, 6),
                                600,
                                None if rng.random() < 0.3 else rng.randint(0, 10),
                            )
                        ],
                        lease=LeaseItem(f"{base}:c", 3, f"l{lease_no}", 600) if lease else None,
                        dry_run=dry,
                        memo=memo,
                    )
                )
            # Queued before the loop runs the writer: one pipeline, settlements first.
            for s in settlements:
                shared.settle_later(s)
            checks = [asyncio.ensure_future(shared.admit(req)) for req in reqs]
            got = await asyncio.gather(*checks)
            for s in settlements:
                local.settle_now(s)
            admitted = []
            for n, (req, outcome) in enumerate(zip(reqs, got, strict=True)):
                expected = local.admit_now(req)
                mine, theirs = _same(outcome, expected)
                assert mine == theirs, (n, req)
                for a, b in zip(outcome.rates, expected.rates, strict=True):
                    # Each limiter's own clock: the same moments, but for the time in between.
                    assert abs(a.retry_after - b.retry_after) < 0.5, (n, req)
                    if outcome.allowed and not req.dry_run:
                        # An admitted call hears whole seconds, rounded up (as ``RateLimit``).
                        assert a.reset_after == int(a.reset_after), (n, req)
                        assert -0.5 < a.reset_after - b.reset_after < 1.5, (n, req)
                    else:
                        assert abs(a.reset_after - b.reset_after) < 0.5, (n, req)
                if outcome.allowed and not req.dry_run:
                    admitted.append(req)
                kinds.add("seed" if outcome.missing else outcome.denial or "ok")
        await shared.flush()
    assert kinds == {"ok", "seed", "rate", "budget", "concurrency"}  # every way a check ends
    assert sum(seen.checks) == rounds * per_round  # every check decided, once
    if max_checks > per_round:
        assert len(seen.checks) == rounds * len(orgs)  # an org's queued checks: one run
    else:
        assert max(seen.checks) == max_checks


async def test_a_refused_script_run_fails_only_the_calls_it_carried(
    redis: Redis, prefix: str
) -> None:
    """One org's keys in a state the script cannot use (a concurrency key that is not a sorted
    set) make Redis refuse that org's run: its calls fail (the caller falls back), and the other
    org's calls in the same pipeline are decided as usual."""
    backend = RedisBackend(redis, prefix)
    await redis.set(f"{prefix}:{{bad}}:c", "not a set")
    bad = Admission(
        rates=[RateItem(f"{prefix}:{{bad}}:r", Rate(10, 60), 1)],
        lease=LeaseItem(f"{prefix}:{{bad}}:c", 2, "x", 60),
    )
    good = Admission(rates=[RateItem(f"{prefix}:{{good}}:r", Rate(10, 60), 1)])
    answers = await asyncio.gather(
        *(backend.admit(r) for r in (good, bad, good)), return_exceptions=True
    )
    assert isinstance(answers[1], Exception) and "WRONGTYPE" in str(answers[1])
    assert [a.rates[0].remaining for a in answers[::2] if isinstance(a, Outcome)] == [9, 8]
    # Nothing of the refused run was taken.
    assert await redis.get(f"{prefix}:{{bad}}:r") is None
    await backend.flush()


async def test_a_refused_script_run_does_not_pass_for_a_redis_outage(
    redis: Redis, prefix: str
) -> None:
    """Redis answered, so it is not away: the refused calls fall back to this process, and
    everyone else's calls are still decided by Redis (no circuit breaker for the instance)."""
    resilient = Resilient(
        RedisBackend(redis, prefix),
        InProcessBackend(),
        instances=2,
        budget_mode="closed",
        timeout_s=5,
    )
    await redis.set(f"{prefix}:{{bad}}:c", "not a set")
    bad = Admission(
        rates=[RateItem(f"{prefix}:{{bad}}:r", Rate(10, 60), 1)],
        lease=LeaseItem(f"{prefix}:{{bad}}:c", 2, "x", 60),
    )
    good = Admission(rates=[RateItem(f"{prefix}:{{good}}:r", Rate(10, 60), 1)])
    outcome, on_redis = await resilient.admit(bad)
    assert outcome.allowed and not on_redis  # decided here, at 10 / 2 instances
    assert outcome.rates[0].remaining == 4
    assert not resilient.degraded
    outcome, on_redis = await resilient.admit(good)
    assert on_redis and outcome.rates[0].remaining == 9
    await resilient.primary.flush()
