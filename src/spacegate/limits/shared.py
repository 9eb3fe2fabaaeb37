"""Limiter state in Redis, shared by every replica, at about one Redis round trip per call.

Every check is one ``EVALSHA`` of ``lua.LUA_ADMIT``. Calls are not sent one by one: whatever is
queued when the writer gets the loop goes out as one pipeline, and the next pipeline leaves when
the previous one is answered (one writer, so Redis runs this process's commands in the order they
were queued). Settlements ride in the same pipelines, ahead of the checks queued with them, one
``EVALSHA`` of ``lua.LUA_SETTLE`` per org however many calls it settles. So a settlement costs
no round trip of its own, and:

- a settlement that *charges* (a call used more than it reserved) is sent with the very next
  pipeline, and is applied before any check this process queues after it;
- a settlement that only *refunds* (the usual case) may wait up to ``settle_delay_s`` for
  company: until then the limits are stricter than they need be, never looser.

Across replicas a charge is applied one round trip after its call ends, as an unbatched write
would be. A pipeline that fails or outlasts ``timeout_s`` fails every call waiting on it (the
caller, ``fallback.Resilient``, decides what that means; time this process's event loop spent
elsewhere is not charged to Redis, see ``_timed``); its settlements are dropped, which
keeps reservations standing (stricter) and loses only charges that were not already applied.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Coroutine
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

from spacegate.limits.backends import (
    Admission,
    Outcome,
    RateState,
    Settlement,
)
from spacegate.limits.lua import LUA_ADMIT, LUA_SETTLE

FailureHook = Callable[[str, BaseException], None]
#: A wake-up this late (seconds) means the event loop was busy, not that Redis was slow.
LATE_S = 0.002
#: How much loop lateness, in timeouts, is forgiven before Redis is declared unreachable.
LAG_ALLOWANCE = 2.0


def _sha(script: str) -> str:
    return hashlib.sha1(script.encode()).hexdigest()  # noqa: S324  (Redis names scripts so)


_ADMIT_SHA, _SETTLE_SHA = _sha(LUA_ADMIT), _sha(LUA_SETTLE)


class RedisBackend:
    """Raises on any Redis failure; the caller decides what a failure means."""

    name = "redis"

    def __init__(
        self,
        redis: Redis,
        prefix: str = "sg",
        *,
        timeout_s: float = 5.0,
        settle_delay_s: float = 0.005,
    ) -> None:
        self.redis = redis
        self.prefix = prefix
        self.timeout_s = timeout_s
        self.settle_delay_s = settle_delay_s
        #: Told when settlements could not be written (checks raise to their own caller).
        self.on_failure: FailureHook | None = None
        self._checks: list[tuple[list[Any], asyncio.Future[list[Any]]]] = []
        self._settlements: list[Settlement] = []
        self._settled: list[asyncio.Future[None]] = []
        self._writer: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None

    # -- the API ------------------------------------------------------------------------------

    async def admit(self, req: Admission) -> Outcome:
        future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._checks.append((_admit_command(req), future))
        self._kick()
        return _parse(await future, req)

    def settle_later(self, s: Settlement) -> None:
        """Queue ``s``; see the module's docstring for when it is applied."""
        self._settlements.append(s)
        if _charges(s):
            self._kick()
        elif self._writer is None and self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self.settle_delay_s, self._kick)

    async def settle(self, s: Settlement) -> None:
        """Apply ``s`` now and wait until Redis has it."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._settlements.append(s)
        self._settled.append(future)
        self._kick()
        await future

    async def flush(self) -> None:
        """Send whatever is queued and wait for it (shutdown)."""
        if self._settlements or self._checks:
            self._kick()
        while self._writer is not None:
            await asyncio.shield(self._writer)

    # -- the writer ---------------------------------------------------------------------------

    def _kick(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        try:
            while self._checks or self._settlements:
                checks, self._checks = self._checks, []
                settlements, self._settlements = self._settlements, []
                settled, self._settled = self._settled, []
                commands = [*_settle_commands(settlements), *(c for c, _ in checks)]
                try:
                    results = await self._timed(self._send(commands))
                except Exception as exc:
                    # Redis is away: what queued meanwhile would only wait for the same fate.
                    checks += self._checks
                    self._checks = []
                    for _, future in checks:
                        if not future.done():
                            future.set_exception(exc)
                    for done in settled:
                        if not done.done():
                            done.set_exception(exc)
                    if settlements and self.on_failure is not None:
                        self.on_failure("settle", exc)
                    continue
                refused = next(
                    (r for r in results[: len(results) - len(checks)] if isinstance(r, Exception)),
                    None,
                )
                for done in settled:
                    if done.done():
                        continue
                    if refused is None:
                        done.set_result(None)
                    else:
                        done.set_exception(refused)
                if refused is not None and self.on_failure is not None:
                    self.on_failure("settle", refused)
                answers = results[len(results) - len(checks) :]
                for (_, future), result in zip(checks, answers, strict=True):
                    if future.done():
                        continue
                    if isinstance(result, BaseException):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            self._writer = None

    async def _timed(self, send: Coroutine[Any, Any, list[Any]]) -> list[Any]:
        """``send``, failed after ``timeout_s`` of waiting for Redis. Time the event loop spent
        on other work past the deadline (a loop that was late to notice the answer) is given
        back, up to ``LAG_ALLOWANCE`` times the timeout: a busy process is not a Redis outage."""
        loop = asyncio.get_running_loop()
        task = loop.create_task(send)
        due = loop.time() + self.timeout_s
        last = due + self.timeout_s * LAG_ALLOWANCE
        while True:
            done, _ = await asyncio.wait({task}, timeout=max(due - loop.time(), 0.0))
            if done:
                return task.result()
            late = loop.time() - due
            if late < LATE_S or due >= last:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                raise TimeoutError(f"Redis did not answer in {self.timeout_s * 1000:.0f} ms")
            due = min(due + late, last)

    async def _send(self, commands: list[list[Any]]) -> list[Any]:
        results = await self._pipeline(commands)
        missing = [i for i, r in enumerate(results) if isinstance(r, NoScriptError)]
        if missing:  # Redis restarted or was flushed: load the scripts, resend what bounced
            await self.redis.script_load(LUA_ADMIT)
            await self.redis.script_load(LUA_SETTLE)
            again = await self._pipeline([commands[i] for i in missing])
            for i, r in zip(missing, again, strict=True):
                results[i] = r
        return results

    async def _pipeline(self, commands: list[list[Any]]) -> list[Any]:
        pipe = self.redis.pipeline(transaction=False)
        for command in commands:
            pipe.execute_command(*command)
        results: list[Any] = await pipe.execute(raise_on_error=False)
        return results


def _charges(s: Settlement) -> bool:
    return any(d > 0 for _, _, d in s.rates) or any(d > 0 for _, d, _ in s.budgets)


def _admit_command(req: Admission) -> list[Any]:
    keys: list[str] = [r.key for r in req.rates] + [b.key for b in req.budgets]
    args: list[Any] = [
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
    return ["EVALSHA", _ADMIT_SHA, len(keys), *keys, *args]


def _settle_commands(settlements: list[Settlement]) -> list[list[Any]]:
    """One command per org (one hash tag: one Redis Cluster slot), keeping their order."""
    by_org: dict[str, list[Settlement]] = {}
    for s in settlements:
        by_org.setdefault(_tag(s), []).append(s)
    commands = []
    for group in by_org.values():
        rate_keys: list[str] = []
        budget_keys: list[str] = []
        lease_keys: list[str] = []
        rate_args: list[Any] = []
        budget_args: list[Any] = []
        lease_args: list[Any] = []
        for s in group:
            for key, rate, delta in s.rates:
                rate_keys.append(key)
                rate_args += [
                    repr(float(rate.limit)),
                    repr(float(rate.period)),
                    repr(float(delta)),
                ]
            for key, delta, ttl in s.budgets:
                budget_keys.append(key)
                budget_args += [repr(float(delta)), ttl]
            if s.lease is not None:
                lease_keys.append(s.lease[0])
                lease_args.append(s.lease[1])
        keys = rate_keys + budget_keys + lease_keys
        head = [len(rate_keys), len(budget_keys), len(lease_keys), 0]
        commands.append(
            ["EVALSHA", _SETTLE_SHA, len(keys), *keys, *head, *rate_args, *budget_args, *lease_args]
        )
    return commands


def _tag(s: Settlement) -> str:
    key = s.rates[0][0] if s.rates else s.budgets[0][0] if s.budgets else s.lease[0]  # type: ignore[index]
    start = key.find("{")
    end = key.find("}", start + 1)
    return key[start : end + 1] if start >= 0 and end > start else ""


def _parse(raw: list[Any], req: Admission) -> Outcome:
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
