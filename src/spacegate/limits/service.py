"""The limiter of one Spacegate process: its backend, and the limits of orgs and keys.

Built once per runtime. With Redis configured, state is shared by every replica (falling back to
this process when Redis is away, see ``fallback``); otherwise it lives in this process, which is
exact for the embedded single-worker deployment (``serve --workers N`` refuses N > 1 without
Redis). Org and key limits are read from the database once and cached until the org's
governance generation moves (any change to the org or its keys, on any instance).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select

from spacegate.kit import metrics
from spacegate.limits import headers, policy
from spacegate.limits.backends import (
    Admission,
    BudgetItem,
    InProcessBackend,
    Outcome,
    RateItem,
    Settlement,
    wall_clock,
)
from spacegate.limits.fallback import Resilient
from spacegate.limits.shared import RedisBackend
from spacegate.models import ApiKey, Org
from spacegate.runtime import Runtime

CACHE_TTL_S = 5.0
MAX_CACHED = 100_000


@dataclass(frozen=True, slots=True)
class OrgProfile:
    windows: tuple[policy.Window, ...]
    timezone: str
    custom: bool


@dataclass(frozen=True, slots=True)
class KeyLimits:
    rpm: int | None = None
    tpm: int | None = None
    max_concurrency: int | None = None

    @property
    def any(self) -> bool:
        return bool(self.rpm or self.tpm or self.max_concurrency)


NO_KEY_LIMITS = KeyLimits()


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer to a plain request-count check (the org limit)."""

    allowed: bool
    quotas: list[headers.Quota]
    tripped: list[headers.Quota]
    retry_after: float

    def headers(self) -> dict[str, str]:
        return headers.fields(self.quotas, self.tripped if not self.allowed else None)


Seeder = Callable[[], Awaitable[float]]


class LimitService:
    def __init__(self, runtime: Runtime, clock: Callable[[], float] = wall_clock) -> None:
        settings = runtime.settings
        self.runtime = runtime
        self.default_windows = policy.parse(settings.org_rate_limit)
        self.scope_all = settings.org_rate_limit_scope == "all"
        self.prefix = settings.limits_redis_prefix
        self.local = InProcessBackend(clock)
        self.shared: Resilient | None = None
        if runtime.redis is not None:
            self.shared = Resilient(
                RedisBackend(runtime.redis, self.prefix),
                self.local,
                instances=settings.limits_instances,
                budget_mode=settings.budget_failure_mode,
                timeout_s=settings.limits_redis_timeout_ms / 1000,
            )
        self._orgs: dict[uuid.UUID, tuple[OrgProfile, int, float]] = {}
        self._keys: dict[uuid.UUID, tuple[KeyLimits, int, float]] = {}

    # -- keys -----------------------------------------------------------------------------

    def key(self, org_id: uuid.UUID, *parts: object) -> str:
        """A limiter key, hash-tagged by org so one check's keys share a Redis Cluster slot."""
        return ":".join([self.prefix, "{" + str(org_id) + "}", *map(str, parts)])

    # -- cached limits ------------------------------------------------------------------------

    async def org_profile(self, org_id: uuid.UUID) -> OrgProfile:
        bus = self.runtime.bus
        hit = self._orgs.get(org_id)
        if hit is not None and hit[1] == bus.generation(org_id) and hit[2] > time.monotonic():
            return hit[0]
        generation = bus.generation(org_id)
        async with self.runtime.read_sessions() as session:
            row = (
                await session.execute(select(Org.rate_limit, Org.timezone).where(Org.id == org_id))
            ).first()
        spec: str | None = row[0] if row is not None else None
        windows, custom = self.default_windows, spec is not None
        if spec is not None:
            try:
                windows = policy.parse(spec)
            except policy.InvalidSpec:  # validated on write; never fail requests over it
                custom = False
        profile = OrgProfile(windows, (row[1] if row else None) or "UTC", custom)
        self._remember(self._orgs, org_id, profile, generation)
        return profile

    async def key_limits(self, org_id: uuid.UUID, key_id: uuid.UUID) -> KeyLimits:
        bus = self.runtime.bus
        hit = self._keys.get(key_id)
        if hit is not None and hit[1] == bus.generation(org_id) and hit[2] > time.monotonic():
            return hit[0]
        generation = bus.generation(org_id)
        async with self.runtime.read_sessions() as session:
            row = (
                await session.execute(
                    select(ApiKey.rpm, ApiKey.tpm, ApiKey.max_concurrency).where(
                        ApiKey.id == key_id, ApiKey.org_id == org_id
                    )
                )
            ).first()
        limits = KeyLimits(*row) if row is not None else NO_KEY_LIMITS
        if not limits.any:
            limits = NO_KEY_LIMITS
        self._remember(self._keys, key_id, limits, generation)
        return limits

    def fresh_until(self, org_id: uuid.UUID, key_id: uuid.UUID, with_org: bool) -> float:
        """When the cached limits of this key (and, ``with_org``, of its org) expire
        (``time.monotonic()``); now when they are not cached."""
        now = time.monotonic()
        until = self._keys.get(key_id, (None, 0, now))[2]
        if with_org:
            until = min(until, self._orgs.get(org_id, (None, 0, now))[2])
        return until

    @staticmethod
    def _remember(cache: dict, key: object, value: object, generation: int) -> None:  # type: ignore[type-arg]
        if len(cache) >= MAX_CACHED:
            cache.clear()
        cache[key] = (value, generation, time.monotonic() + CACHE_TTL_S)

    # -- checks -------------------------------------------------------------------------------

    async def check_org(self, org_id: uuid.UUID) -> Verdict | None:
        """Count one API call against the org's limit; None when the org has no limit."""
        profile = await self.org_profile(org_id)
        if not profile.windows:
            return None
        items = [RateItem(self.key(org_id, "org", w.seconds), w.rate, 1) for w in profile.windows]
        outcome, _ = await self.admit(Admission(rates=items), [])
        quotas, tripped = [], []
        for w, state in zip(profile.windows, outcome.rates, strict=True):
            q = headers.Quota(
                f"org-{w.name}",
                w.limit,
                w.seconds,
                state.remaining,
                state.retry_after if not state.allowed else state.reset_after,
            )
            quotas.append(q)
            if not state.allowed:
                tripped.append(q)
        allowed = outcome.allowed or not outcome.rates  # no decision possible: let it through
        retry = max((s.retry_after for s in outcome.rates if not s.allowed), default=0.0)
        if not allowed:
            metrics.limits_refusals.labels("rate", "org").inc()
        return Verdict(allowed, quotas, tripped, retry)

    async def admit(self, req: Admission, seeders: Sequence[Seeder]) -> tuple[Outcome, bool]:
        """Check and take everything in ``req``; seed budget totals from the ledger when the
        backend has not seen their window yet. Returns the outcome and whether it was decided
        by the shared store (settle there) or by this process."""
        for _ in range(3):
            if self.shared is not None:
                outcome, on_primary = await self.shared.admit(req)
            else:
                outcome, on_primary = self.local.admit_now(req), False
            if not outcome.missing:
                return outcome, on_primary
            budgets = list(req.budgets)
            for i in outcome.missing:
                budgets[i] = replace(budgets[i], seed=await seeders[i]())
            req = replace(req, budgets=budgets)
        return outcome, on_primary  # pragma: no cover  (a seed is written on the next admit)

    async def peek(self, items: list[RateItem]) -> Outcome:
        """What is left, without taking anything (for ``GET /v1/me/entitlements``)."""
        req = Admission(rates=[replace(i, cost=0) for i in items], dry_run=True)
        outcome, _ = await self.admit(req, [])
        return outcome

    def settle(self, s: Settlement, *, on_primary: bool) -> None:
        """Correct a reservation; never waits (see ``shared`` for when Redis applies it)."""
        if not s:
            return
        if self.shared is not None:
            self.shared.settle(s, on_primary=on_primary)
        else:
            self.local.settle_now(s)

    async def drain(self) -> None:
        """Write queued settlements to Redis (shutdown)."""
        if self.shared is not None:
            await self.shared.primary.flush()


def budget_item(
    key: str, limit: float, cost: float, window_end_s: float, now_s: float
) -> BudgetItem:
    from spacegate.limits.budgets import TTL_MARGIN_S

    return BudgetItem(key, limit, cost, int(window_end_s - now_s) + TTL_MARGIN_S)
