"""Where limiter state lives: in this process (the embedded default) or in Redis (replicas).

Both answer the same two questions with the same arithmetic (``gcra``): ``admit`` checks every
rate, budget and concurrency cap of a call and, only if all of them pass, takes them all at once;
``settle`` later corrects a reservation to what the call really used. In Redis each is one Lua
script run atomically with Redis's own clock (``TIME``), so two replicas can never both take the
last unit, and their clocks do not matter. Keys carry the org id as a hash tag (``{org}``) so that
one script's keys always live in one Redis Cluster slot.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from redis.asyncio import Redis

from spacegate.limits.gcra import EPOCH, EPS, Rate, adjust, decide

Denial = Literal["rate", "budget", "concurrency", "unavailable"]


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


@dataclass(frozen=True, slots=True)
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
        self.tats: dict[str, float] = {}
        self.totals: dict[str, tuple[float, float]] = {}  # key -> (used, expires at)
        self.leases: dict[str, dict[str, float]] = {}  # key -> lease id -> expires at
        self._ops = 0

    async def admit(self, req: Admission) -> Outcome:
        return self.admit_now(req)

    async def settle(self, s: Settlement) -> None:
        self.settle_now(s)

    def admit_now(self, req: Admission) -> Outcome:
        now = self.clock()
        self._sweep(now)
        out = Outcome(allowed=True)
        decisions = [decide(self.tats.get(i.key), now, i.rate, i.cost) for i in req.rates]
        new_tats = [d.tat for d in decisions]
        for i, b in enumerate(req.budgets):
            held = self.totals.get(b.key)
            if held is not None and held[1] <= now:
                held = None
            if held is None and b.seed is None:
                out.missing.append(i)
                used = 0.0
            else:
                used = held[0] if held is not None else float(b.seed or 0.0)
            out.used.append(used)
            out.budget_ok.append(used + b.cost <= b.limit + 1e-9)
        if req.lease is not None:
            mine = self.leases.setdefault(req.lease.key, {})
            for lease, until in list(mine.items()):
                if until <= now:
                    del mine[lease]
            out.lease_ok = len(mine) < req.lease.cap
        taken = not out.missing and all(d.allowed for d in decisions)
        taken = taken and all(out.budget_ok) and out.lease_ok
        for d in decisions:  # a call that is not taken leaves every limit as it was
            left = d.remaining if taken else d.available
            out.rates.append(RateState(d.allowed, left, d.retry_after, d.reset_after))
        out.allowed = taken
        if not taken or req.dry_run:
            return out
        for item, tat in zip(req.rates, new_tats, strict=True):
            self.tats[item.key] = tat
        for b, used in zip(req.budgets, out.used, strict=True):
            self.totals[b.key] = (used + b.cost, now + b.ttl)
        if req.lease is not None:
            self.leases[req.lease.key][req.lease.lease] = now + req.lease.lease_s
        return out

    def settle_now(self, s: Settlement) -> None:
        now = self.clock()
        for key, rate, delta in s.rates:
            tat = adjust(self.tats.get(key), now, rate, delta)
            if tat is not None:
                self.tats[key] = tat
        for key, delta, ttl in s.budgets:
            held = self.totals.get(key)
            if held is not None and held[1] > now:
                self.totals[key] = (held[0] + delta, max(held[1], now + ttl))
        if s.lease is not None:
            self.leases.get(s.lease[0], {}).pop(s.lease[1], None)

    def _sweep(self, now: float) -> None:
        """Forget state equivalent to none at all: full buckets, ended windows, empty caps."""
        self._ops += 1
        if self._ops % self._SWEEP_EVERY:
            return
        self.tats = {k: v for k, v in self.tats.items() if v > now}
        self.totals = {k: v for k, v in self.totals.items() if v[1] > now}
        self.leases = {k: v for k, v in self.leases.items() if v}


_LUA_PRELUDE = f"""
local t = redis.call('TIME')
local now = (tonumber(t[1]) - {EPOCH}) + tonumber(t[2]) / 1000000
local nr, nb, nl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local a = 5
local function fmt(v) return string.format('%.17g', v) end
local function whole(v) local w = math.floor(v + 1e-6) if w < 0 then return 0 end return w end
"""

LUA_ADMIT = (
    _LUA_PRELUDE
    + f"""
local dry = ARGV[4] == '1'
local out = {{'ok'}}
local ok = true
local new_tats, ttls, missing = {{}}, {{}}, {{}}
for i = 1, nr do
  local limit, period, cost = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  a = a + 3
  local interval = period / limit
  if cost > limit then cost = limit end
  local tat = tonumber(redis.call('GET', KEYS[i]))
  local base = now
  if tat and tat > now then base = tat end
  local new_tat = base + cost * interval
  local allow_at = new_tat - period
  if allow_at > now + {EPS} then
    ok = false
    table.insert(out, '0')
    table.insert(out, tostring(whole((period - (base - now)) / interval)))
    table.insert(out, tostring(whole((period - (base - now)) / interval)))
    table.insert(out, fmt(allow_at - now))
    table.insert(out, fmt(base - now))
  else
    new_tats[i] = new_tat
    table.insert(out, '1')
    table.insert(out, tostring(whole((period - (new_tat - now)) / interval)))
    table.insert(out, tostring(whole((period - (base - now)) / interval)))
    table.insert(out, '0')
    table.insert(out, fmt(new_tat - now))
  end
end
local totals = {{}}
for j = 1, nb do
  local limit, cost, seed, ttl = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), ARGV[a + 2], ARGV[a + 3]
  a = a + 4
  ttls[j] = ttl
  local used = tonumber(redis.call('GET', KEYS[nr + j]))
  if used == nil then
    if seed == '' then
      table.insert(missing, tostring(j - 1))
      used = 0
    else
      used = tonumber(seed)
    end
  end
  totals[j] = used + cost
  local fits = used + cost <= limit + 1e-9
  if not fits then ok = false end
  table.insert(out, fits and '1' or '0')
  table.insert(out, fmt(used))
end
local lkey
if nl == 1 then
  lkey = KEYS[nr + nb + 1]
  local cap = tonumber(ARGV[a])
  redis.call('ZREMRANGEBYSCORE', lkey, '-inf', now)
  local free = redis.call('ZCARD', lkey) < cap
  if not free then ok = false end
  table.insert(out, free and '1' or '0')
end
if #missing > 0 then
  out[1] = 'seed'
  for _, m in ipairs(missing) do table.insert(out, m) end
  return out
end
if not ok then out[1] = 'no' return out end
if dry then return out end
for i = 1, nr do
  redis.call('SET', KEYS[i], fmt(new_tats[i]), 'PX', math.ceil((new_tats[i] - now) * 1000) + 1000)
end
for j = 1, nb do
  redis.call('SET', KEYS[nr + j], fmt(totals[j]), 'EX', ttls[j])
end
if nl == 1 then
  local lease_s = tonumber(ARGV[a + 2])
  redis.call('ZADD', lkey, now + lease_s, ARGV[a + 1])
  redis.call('PEXPIRE', lkey, math.ceil(lease_s * 1000) + 1000)
end
return out
"""
)

LUA_SETTLE = (
    _LUA_PRELUDE
    + """
for i = 1, nr do
  local limit, period, delta = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  a = a + 3
  local interval = period / limit
  local tat = tonumber(redis.call('GET', KEYS[i]))
  local new_tat = nil
  if delta > 0 then
    if tat == nil or tat < now then tat = now end
    new_tat = tat + delta * interval
  elseif tat ~= nil then
    new_tat = math.max(tat + delta * interval, now)
  end
  if new_tat ~= nil then
    redis.call('SET', KEYS[i], fmt(new_tat), 'PX', math.ceil((new_tat - now) * 1000) + 1000)
  end
end
for j = 1, nb do
  local delta = tonumber(ARGV[a])
  a = a + 2
  if redis.call('EXISTS', KEYS[nr + j]) == 1 then
    local held = tonumber(redis.call('GET', KEYS[nr + j]))
    redis.call('SET', KEYS[nr + j], fmt(held + delta), 'KEEPTTL')
  end
end
if nl == 1 then redis.call('ZREM', KEYS[nr + nb + 1], ARGV[a]) end
return 1
"""
)


class RedisBackend:
    """Limiter state in Redis, shared by every replica. Raises on any Redis failure; the caller
    (``fallback.Resilient``) decides what a failure means."""

    name = "redis"

    def __init__(self, redis: Redis, prefix: str = "sg") -> None:
        self.redis = redis
        self.prefix = prefix
        self._admit = redis.register_script(LUA_ADMIT)
        self._settle = redis.register_script(LUA_SETTLE)

    async def admit(self, req: Admission) -> Outcome:
        keys: list[str] = [r.key for r in req.rates] + [b.key for b in req.budgets]
        args: list[str | float | int] = [
            len(req.rates),
            len(req.budgets),
            1 if req.lease else 0,
            1 if req.dry_run else 0,
        ]
        for r in req.rates:
            args += [repr(float(r.rate.limit)), repr(float(r.rate.period)), repr(float(r.cost))]
        for b in req.budgets:
            seed = "" if b.seed is None else repr(float(b.seed))
            args += [repr(float(b.limit)), repr(float(b.cost)), seed, b.ttl]
        if req.lease is not None:
            keys.append(req.lease.key)
            args += [req.lease.cap, req.lease.lease, repr(float(req.lease.lease_s))]
        raw = await self._admit(keys=keys, args=args)
        return _parse(raw, req)

    async def settle(self, s: Settlement) -> None:
        keys = [k for k, _, _ in s.rates] + [k for k, _, _ in s.budgets]
        args: list[str | float | int] = [len(s.rates), len(s.budgets), 1 if s.lease else 0, 0]
        for _, rate, delta in s.rates:
            args += [repr(float(rate.limit)), repr(float(rate.period)), repr(float(delta))]
        for _, delta, ttl in s.budgets:
            args += [repr(float(delta)), ttl]
        if s.lease is not None:
            keys.append(s.lease[0])
            args.append(s.lease[1])
        await self._settle(keys=keys, args=args)


def _parse(raw: list[bytes], req: Admission) -> Outcome:
    items = [v.decode() if isinstance(v, bytes) else str(v) for v in raw]
    status, pos = items[0], 1
    out = Outcome(allowed=status == "ok")
    for _ in req.rates:
        flag, after, before, retry, reset = items[pos : pos + 5]
        pos += 5
        left = int(after if status == "ok" else before)
        out.rates.append(RateState(flag == "1", left, float(retry), float(reset)))
    for _ in req.budgets:
        out.budget_ok.append(items[pos] == "1")
        out.used.append(float(items[pos + 1]))
        pos += 2
    if req.lease is not None:
        out.lease_ok = items[pos] == "1"
        pos += 1
    if status == "seed":
        out.missing = [int(v) for v in items[pos:]]
    return out
