"""Where limiter state lives: in this process (the embedded default) or in Redis (replicas).

Both answer the same two questions with the same arithmetic (``gcra``): ``admit`` checks every
rate, budget and concurrency cap of a call and, only if all of them pass, takes them all at once;
``settle`` later corrects a reservation to what the call really used. This module holds the
vocabulary and the in-process backend; the Redis one is ``limits.shared`` (one Lua script run
atomically with Redis's own clock, so two replicas can never both take the last unit). Keys carry
the org id as a hash tag (``{org}``) so that one script's keys always live in one Redis Cluster
slot.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from spacegate.limits.gcra import EPOCH, EPS, Rate, adjust, decide, rescale

Denial = Literal["rate", "budget", "concurrency", "unavailable"]
#: A rate as ``take`` reads it: key, limit, period and interval (period / limit).
RateSpec = tuple[str, float, float, float]
#: A budget as ``take`` reads it: key, limit, this call's cost and the window's TTL in seconds.
BudgetSpec = tuple[str, float, float, int]
#: What ``take`` (and the Redis backend's quick answer) gives an admitted call: for each rate in
#: turn the whole units left and the whole seconds until it is full again (``RateLimit``'s ``r``
#: and ``t``), then each budget's total before the call.
Taken = tuple[list[Any], list[float]]


@dataclass(frozen=True, slots=True)
class RateItem:
    key: str
    rate: Rate
    cost: float


@dataclass(frozen=True, slots=True)
class BudgetItem:
    """A running total for one budget window: refused when ``used + cost`` would pass ``limit``.

    The total starts from ``seed`` (read from the durable usage ledger) the first time the window
    is seen; without a seed the backend asks for one instead of guessing zero."""

    key: str
    limit: float
    cost: float
    ttl: int
    seed: float | None = None


@dataclass(frozen=True, slots=True)
class LeaseItem:
    """A concurrency slot: at most ``cap`` leases at once, each expiring after ``lease_s``
    (so a slot whose holder crashed is given back)."""

    key: str
    cap: int
    lease: str
    lease_s: float


@dataclass(slots=True)
class Admission:
    rates: list[RateItem] = field(default_factory=list)
    budgets: list[BudgetItem] = field(default_factory=list)
    lease: LeaseItem | None = None
    dry_run: bool = False
    #: Where a backend may keep what it derives from everything but the costs, seeds, TTLs and
    #: lease id (e.g. the encoded command), for the next admissions made from the same plan.
    #: Whoever passes one promises that only those differ between the admissions sharing it.
    memo: dict[str, Any] | None = None


@dataclass(slots=True)
class RateState:
    allowed: bool
    remaining: int
    retry_after: float
    reset_after: float


@dataclass(slots=True)
class Outcome:
    allowed: bool
    rates: list[RateState] = field(default_factory=list)
    #: Each budget's total before this call.
    used: list[float] = field(default_factory=list)
    budget_ok: list[bool] = field(default_factory=list)
    lease_ok: bool = True
    #: Indices of budgets that need a seed; nothing was taken.
    missing: list[int] = field(default_factory=list)
    #: Set when the limiter itself could not decide (budgets failing closed).
    unavailable: bool = False

    @property
    def denial(self) -> Denial | None:
        if self.unavailable:
            return "unavailable"
        if not all(self.budget_ok):
            return "budget"
        if not all(r.allowed for r in self.rates):
            return "rate"
        if not self.lease_ok:
            return "concurrency"
        return None


@dataclass(slots=True)
class Settlement:
    rates: list[tuple[str, Rate, float]] = field(default_factory=list)  # key, rate, delta
    budgets: list[tuple[str, float, int]] = field(default_factory=list)  # key, delta, ttl
    lease: tuple[str, str] | None = None  # key, lease id

    def __bool__(self) -> bool:
        return bool(self.rates or self.budgets or self.lease)


class Backend(Protocol):
    name: str

    async def admit(self, req: Admission) -> Outcome: ...

    async def settle(self, s: Settlement) -> None: ...


def wall_clock() -> float:
    return time.time() - EPOCH


class InProcessBackend:
    """Limiter state in this process. Every method runs without awaiting, so on one event loop
    each check-and-take is atomic by construction."""

    name = "memory"
    _SWEEP_EVERY = 4096

    def __init__(self, clock: Callable[[], float] = wall_clock) -> None:
        self.clock = clock
        #: key -> (TAT, the emission interval it was computed under)
        self.tats: dict[str, tuple[float, float]] = {}
        self.totals: dict[str, tuple[float, float]] = {}  # key -> (used, expires at)
        self.leases: dict[str, dict[str, float]] = {}  # key -> lease id -> expires at
        self._ops = 0

    async def admit(self, req: Admission) -> Outcome:
        return self.admit_now(req)

    async def settle(self, s: Settlement) -> None:
        self.settle_now(s)

    def admit_now(self, req: Admission) -> Outcome:
        now = self.clock()
        self._ops += 1
        if not self._ops % self._SWEEP_EVERY:
            self._sweep(now)
        decisions = [decide(self._tat(i.key, now, i.rate), now, i.rate, i.cost) for i in req.rates]
        taken = all(d.allowed for d in decisions)
        used_l: list[float] = []
        fits: list[bool] = []
        missing: list[int] = []
        for i, b in enumerate(req.budgets):
            held = self.totals.get(b.key)
            if held is not None and held[1] <= now:
                held = None
            if held is None and b.seed is None:
                missing.append(i)
                used = 0.0
            else:
                used = held[0] if held is not None else float(b.seed or 0.0)
            used_l.append(used)
            ok = used + b.cost <= b.limit + 1e-9
            fits.append(ok)
            taken = taken and ok
        lease_ok = True
        if req.lease is not None:
            mine = self.leases.setdefault(req.lease.key, {})
            for lease, until in list(mine.items()):
                if until <= now:
                    del mine[lease]
            lease_ok = len(mine) < req.lease.cap
        taken = taken and lease_ok and not missing
        # A call that is not taken leaves every limit as it was.
        states = [
            RateState(
                d.allowed, d.remaining if taken else d.available, d.retry_after, d.reset_after
            )
            for d in decisions
        ]
        out = Outcome(taken, states, used_l, fits, lease_ok, missing)
        if not taken or req.dry_run:
            return out
        tats = self.tats
        for item, d in zip(req.rates, decisions, strict=True):
            tats[item.key] = (d.tat, item.rate.interval)
        for b, used in zip(req.budgets, used_l, strict=True):
            self.totals[b.key] = (used + b.cost, now + b.ttl)
        if req.lease is not None:
            self.leases[req.lease.key][req.lease.lease] = now + req.lease.lease_s
        return out

    def take(
        self, rates: Sequence[RateSpec], costs: Sequence[float], budgets: Sequence[BudgetSpec]
    ) -> Taken | None:
        """``admit_now`` for the usual call (rates and budgets whose window is known, no
        concurrency cap), without building its answer's objects: takes ``costs`` from ``rates``
        and each budget's cost if everything passes. None when anything would refuse or a
        budget needs its seed; then nothing was taken, and ``admit_now`` gives the whole
        answer."""
        now = self.clock()
        self._ops += 1
        if not self._ops % self._SWEEP_EVERY:
            self._sweep(now)
        tats = self.tats
        new: list[float] = []
        for (key, limit, period, interval), cost in zip(rates, costs, strict=False):
            held = tats.get(key)
            if held is None:
                base = now
            else:
                tat = held[0]
                if held[1] != interval:  # the limit changed: the units used carry over
                    tat = rescale(tat, now, held[1], interval, period)
                    tats[key] = (tat, interval)
                base = tat if tat > now else now
            t = base + (cost if cost < limit else limit) * interval
            if t - period > now + EPS:
                return None
            new.append(t)
        totals = self.totals
        used: list[float] = []
        for key, limit, cost, _ttl in budgets:
            held = totals.get(key)
            if held is None or held[1] <= now or held[0] + cost > limit + 1e-9:
                return None
            used.append(held[0])
        state: list[Any] = []
        for (key, _, period, interval), t in zip(rates, new, strict=False):
            tats[key] = (t, interval)
            ahead = t - now
            left = math.floor((period - ahead) / interval + 1e-6)
            secs = math.ceil(ahead - 1e-9)
            state.append(left if left > 0 else 0)
            state.append(secs if secs > 0 else 0)
        for (key, _, cost, ttl), u in zip(budgets, used, strict=False):
            totals[key] = (u + cost, now + ttl)
        return state, used

    def settle_now(self, s: Settlement) -> None:
        now = self.clock()
        for key, rate, delta in s.rates:
            tat = adjust(self._tat(key, now, rate), now, rate, delta)
            if tat is not None:
                self.tats[key] = (tat, rate.interval)
        for key, delta, ttl in s.budgets:
            held = self.totals.get(key)
            if held is not None and held[1] > now:
                self.totals[key] = (held[0] + delta, max(held[1], now + ttl))
        if s.lease is not None:
            self.leases.get(s.lease[0], {}).pop(s.lease[1], None)

    def _tat(self, key: str, now: float, rate: Rate) -> float | None:
        """The key's TAT under ``rate``: one stored under another limit is rescaled (and kept
        so), see ``gcra.rescale``."""
        held = self.tats.get(key)
        if held is None:
            return None
        tat, was = held
        interval = rate.interval
        if was != interval:
            tat = rescale(tat, now, was, interval, rate.period)
            self.tats[key] = (tat, interval)
        return tat

    def _sweep(self, now: float) -> None:
        """Forget state equivalent to none at all: full buckets, ended windows, empty caps."""
        self.tats = {k: v for k, v in self.tats.items() if v[0] > now}
        self.totals = {k: v for k, v in self.totals.items() if v[1] > now}
        self.leases = {k: v for k, v in self.leases.items() if v}
