"""Limiter state in Redis, shared by every replica, at about one Redis round trip per call.

Calls are not sent one by one: whatever is queued when the writer gets the loop goes out as one
pipeline, in one write of ready-made RESP bytes (``wire``) on the writer's own connection, and
the next pipeline leaves as soon as the previous one is answered (one writer, so Redis runs this
process's commands in the order they were queued; nothing waits for a batch to fill). A pipeline
holds one ``EVALSHA`` of ``lua.LUA_BATCH`` per org: that org's settlements, then its checks in
the order they were queued, each decided as if it ran alone after the ones before it. So at low
concurrency a check is one script run of one call, and under load N calls of an org queued
during a round trip cost one script run, one read of their keys and one write of each key they
changed, in place of N of each. Settlements ride ahead of the checks queued with them, and:

- a settlement that *charges* (a call used more than it reserved) is sent with the very next
  pipeline, and is applied before any check this process queues after it;
- a settlement that only *refunds* (the usual case) may wait up to ``settle_delay_s`` for
  company: until then the limits are stricter than they need be, never looser.

Across replicas a charge is applied one round trip after its call ends, as an unbatched write
would be. A pipeline that fails or outlasts ``timeout_s`` fails every call waiting on it (the
caller, ``fallback.Resilient``, decides what that means; time this process's event loop spent
elsewhere is not charged to Redis, see ``_timed``); its settlements are dropped, which
keeps reservations standing (stricter) and loses only charges that were not already applied.
A script run that Redis refuses fails the calls and settlements it carried, no others.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Coroutine
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import NoScriptError, ResponseError

from spacegate.limits import wire
from spacegate.limits.backends import Admission, Outcome, Settlement
from spacegate.limits.lua import LUA_BATCH

FailureHook = Callable[[str, BaseException], None]
#: A wake-up this late (seconds) means the event loop was busy, not that Redis was slow.
LATE_S = 0.002
#: After such a late wake-up, the answer gets at least this long (seconds) to be read.
GRACE_S = 0.01
#: How many late wake-ups one pipeline forgives before Redis is declared unreachable.
LATE_ROUNDS = 3


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
        self._checks: list[tuple[wire.Check, asyncio.Future[bytes]]] = []
        self._settlements: list[Settlement] = []
        self._settled: list[asyncio.Future[None]] = []
        self._writer: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        #: The writer's own connection (one writer: one connection is all it needs).
        self._conn: AbstractConnection | None = None
        #: Its socket timeout as the pool set it (given back with the connection).
        self._conn_timeout: float | None = None

    # -- the API ------------------------------------------------------------------------------

    async def admit(self, req: Admission) -> Outcome:
        return wire.parse_admit(await self.send(wire.check(req)), req)

    async def send(self, check: wire.Check) -> bytes:
        """Queue one encoded check; its raw answer (``wire.parse_admit`` reads it)."""
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._checks.append((check, future))
        self._kick()
        return await future

    def settle_later(self, s: Settlement) -> None:
        """Queue ``s``; see the module's docstring for when it is applied."""
        self._settlements.append(s)
        if wire.charges(s):
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
        await self._drop_connection(disconnect=False)

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
                try:
                    commands = wire.commands(settlements, [c for c, _ in checks])
                    results = await self._timed(self._send([c.data for c in commands]))
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
                refused: BaseException | None = None
                for command, result in zip(commands, results, strict=True):
                    got = [] if isinstance(result, BaseException) else wire.answers(result)
                    if len(got) != len(command.checks) and not isinstance(result, BaseException):
                        result = ResponseError(f"{len(got)} answers to {len(command.checks)}")
                    if isinstance(result, BaseException):
                        refused = refused or (result if command.settles else None)
                        for i in command.checks:
                            if not checks[i][1].done():
                                checks[i][1].set_exception(result)
                        continue
                    for i, answer in zip(command.checks, got, strict=True):
                        if not checks[i][1].done():
                            checks[i][1].set_result(answer)
                for done in settled:
                    if done.done():
                        continue
                    if refused is None:
                        done.set_result(None)
                    else:
                        done.set_exception(refused)
                if refused is not None and self.on_failure is not None:
                    self.on_failure("settle", refused)
        finally:
            self._writer = None

    async def _timed(self, send: Coroutine[Any, Any, list[Any]]) -> list[Any]:
        """``send``, failed after ``timeout_s`` of waiting for Redis. A wake-up that comes late
        (the event loop was busy elsewhere: a burst of work, a garbage collection) says nothing
        about Redis, whose answer may be waiting unread: it gets as long again as the loop was
        late (at least ``GRACE_S``, at most ``timeout_s``), up to ``LATE_ROUNDS`` times. So a
        busy process is not a Redis outage, and an outage still costs a bounded wait.

        ``send`` runs in this task (no task of its own, no ``asyncio.wait``: this is paid per
        pipeline); a timer cancels this task when the time is up, and the cancellation comes
        out as ``TimeoutError``."""
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        timeout_s = self.timeout_s
        due = loop.time() + timeout_s
        rounds = 0
        expired = False
        handle: asyncio.TimerHandle | None = None

        def check() -> None:
            nonlocal due, handle, rounds, expired
            late = loop.time() - due
            if late >= LATE_S and rounds < LATE_ROUNDS:
                rounds += 1
                due = loop.time() + min(max(late, GRACE_S), timeout_s)
                handle = loop.call_at(due, check)
                return
            expired = True
            task.cancel()

        handle = loop.call_at(due, check)
        try:
            return await send
        except asyncio.CancelledError:
            if not expired or task.uncancel() > 0:  # not ours, or cancelled from outside too
                raise
            raise TimeoutError(f"Redis did not answer in {timeout_s * 1000:.0f} ms") from None
        finally:
            handle.cancel()

    async def _send(self, commands: list[bytes]) -> list[Any]:
        results = await self._pipeline(commands)
        missing = [i for i, r in enumerate(results) if isinstance(r, NoScriptError)]
        if missing:  # Redis restarted or was flushed: load the scripts, resend what bounced
            await self.redis.script_load(LUA_BATCH)
            again = await self._pipeline([commands[i] for i in missing])
            for i, r in zip(missing, again, strict=True):
                results[i] = r
        return results

    async def _pipeline(self, commands: list[bytes]) -> list[Any]:
        """Send ``commands`` in one write and read their answers (an error answer is returned
        in its place). Anything else that goes wrong, cancellation included, leaves the
        connection in an unknown state: it is dropped, and the next pipeline opens another."""
        conn = self._conn
        if conn is None:
            pool = self.redis.connection_pool
            conn = self._conn = await pool.get_connection()  # type: ignore[no-untyped-call]
            # This writer bounds its own waits (``_timed``): without a socket timeout, a write is
            # not wrapped in ``asyncio.wait_for`` (a task and a timer per pipeline).
            self._conn_timeout, conn.socket_timeout = conn.socket_timeout, None
        results: list[Any] = []
        try:
            await conn.send_packed_command(b"".join(commands), check_health=False)
            for _ in commands:
                try:
                    results.append(await conn.read_response(timeout=math.inf))
                except ResponseError as exc:
                    results.append(exc)
        except BaseException:
            await self._drop_connection(disconnect=True)
            raise
        return results

    async def _drop_connection(self, *, disconnect: bool) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        conn.socket_timeout = self._conn_timeout
        try:
            if disconnect:
                await conn.disconnect(nowait=True)
        finally:
            await self.redis.connection_pool.release(conn)
