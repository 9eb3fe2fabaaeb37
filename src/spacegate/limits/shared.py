"""Limiter state in Redis, shared by every replica, at about one Redis round trip per call.

Calls are not sent one by one: whatever is queued when the loop gets to it goes out as one
pipeline, in one write of ready-made RESP bytes (``wire``) on this backend's own connection
(``link``), and the next pipeline leaves as soon as the previous one is answered, straight from
the callback that read the answer (one pipeline in flight, so Redis runs this process's commands
in the order they were queued; nothing waits for a batch to fill). A pipeline holds one
``EVALSHA`` of ``lua.LUA_BATCH`` per org: that org's settlements, then its checks in the order
they were queued, each decided as if it ran alone after the ones before it. So at low
concurrency a check is one script run of one call, and under load N calls of an org queued
during a round trip cost one script run, one read of their keys and one write of each key they
changed, in place of N of each. Settlements ride ahead of the checks queued with them, and:

- a settlement that *charges* (a call used more than it reserved) is sent with the very next
  pipeline, and is applied before any check this process queues after it;
- a settlement that only *refunds* (the usual case) may wait up to ``settle_delay_s`` for
  company: until then the limits are stricter than they need be, never looser.

Across replicas a charge is applied one round trip after its call ends, as an unbatched write
would be. A pipeline that fails or outlasts ``timeout_s`` fails every call waiting on it and
every check queued behind it (the caller, ``fallback.Resilient``, decides what that means; time
this process's event loop spent elsewhere is not charged to Redis, see ``_watch``), and its
connection is dropped (the next pipeline opens another); its settlements are dropped, which
keeps reservations standing (stricter) and loses only charges that were not already applied. A
script run that Redis refuses fails the calls and settlements it carried, no others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from spacegate.limits import wire
from spacegate.limits.backends import Admission, Outcome, Settlement
from spacegate.limits.link import Link, open_link
from spacegate.limits.lua import LUA_BATCH

FailureHook = Callable[[str, BaseException], None]
#: A wake-up this late (seconds) means the event loop was busy, not that Redis was slow.
LATE_S = 0.002
#: After such a late wake-up, the answer gets at least this long (seconds) to be read.
GRACE_S = 0.01
#: How many late wake-ups one pipeline forgives before Redis is declared unreachable.
LATE_ROUNDS = 3
_LOAD = wire.pack([b"SCRIPT", b"LOAD", LUA_BATCH.encode()])

Queued = tuple[wire.Check, "asyncio.Future[bytes]"]


class _Flight:
    """The pipeline in flight: what it carries, and its replies so far."""

    __slots__ = ("checks", "commands", "due", "late", "replies", "resent", "settled", "settles")

    def __init__(
        self,
        commands: list[wire.Command],
        checks: list[Queued],
        settled: list[asyncio.Future[None]],
        settles: bool,
        due: float,
    ) -> None:
        self.commands = commands
        self.checks = checks
        self.settled = settled
        self.settles = settles
        self.replies: list[Any] = []
        self.due = due
        self.late = 0
        #: After a ``NOSCRIPT``: the first replies, and which commands were sent again.
        self.resent: tuple[list[Any], list[int]] | None = None

    @property
    def expected(self) -> int:
        return len(self.commands) if self.resent is None else 1 + len(self.resent[1])


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
        self._checks: list[Queued] = []
        self._settlements: list[Settlement] = []
        self._settled: list[asyncio.Future[None]] = []
        self._link: Link | None = None
        self._opening: asyncio.Task[None] | None = None
        self._flight: _Flight | None = None
        #: The next pipeline, due on the loop's next turn.
        self._soon: asyncio.Handle | None = None
        #: Waits ``settle_delay_s`` for company for queued refunds.
        self._timer: asyncio.TimerHandle | None = None
        #: Watches the pipeline in flight (see ``_watch``), and when it is due to look.
        self._watcher: asyncio.TimerHandle | None = None
        self._watch_at = 0.0
        #: ``flush`` waiting for nothing to be queued or in flight.
        self._quiet: list[asyncio.Future[None]] = []

    # -- the API ------------------------------------------------------------------------------

    async def admit(self, req: Admission) -> Outcome:
        return wire.parse_admit(await self.send(wire.check(req)), req)

    async def send(self, check: wire.Check) -> bytes:
        """Queue one encoded check; its raw answer (``wire.parse_admit`` reads it)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bytes] = loop.create_future()
        self._checks.append((check, future))
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._flight is None and self._soon is None and self._opening is None:
            self._soon = loop.call_soon(self._go)
        return await future

    def settle_later(self, s: Settlement) -> None:
        """Queue ``s``; see the module's docstring for when it is applied."""
        self._settlements.append(s)
        if wire.charges(s):
            self._kick()
        elif self._flight is None and self._soon is None and self._timer is None:
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
        """Send whatever is queued, wait for it, and close the connection (shutdown)."""
        if self._settlements or self._checks:
            self._kick()
        loop = asyncio.get_running_loop()
        while self._busy():
            quiet: asyncio.Future[None] = loop.create_future()
            self._quiet.append(quiet)
            await quiet
        for handle in (self._timer, self._watcher):
            if handle is not None:
                handle.cancel()
        self._timer = self._watcher = None
        link, self._link = self._link, None
        if link is not None:
            link.close()

    # -- the pipeline -------------------------------------------------------------------------

    def _busy(self) -> bool:
        return bool(
            self._flight or self._opening or self._soon or self._checks or self._settlements
        )

    def _kick(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._flight is None and self._soon is None and self._opening is None:
            self._soon = asyncio.get_running_loop().call_soon(self._go)

    def _go(self) -> None:
        """Send what is queued, as one pipeline (opening a connection first if there is none)."""
        self._soon = None
        if self._flight is not None or self._opening is not None:
            return
        if not (self._checks or self._settlements):
            self._calm()
            return
        loop = asyncio.get_running_loop()
        link = self._link
        if link is None:
            self._opening = loop.create_task(self._open())
            return
        checks, self._checks = self._checks, []
        settlements, self._settlements = self._settlements, []
        settled, self._settled = self._settled, []
        try:
            commands = wire.commands(settlements, [c for c, _ in checks])
        except Exception as exc:  # (a call that cannot be encoded fails, and only its batch)
            self._fail(checks, settled, bool(settlements), exc)
            self._go()
            return
        flight = _Flight(commands, checks, settled, bool(settlements), loop.time() + self.timeout_s)
        self._flight = flight
        link.write(b"".join([c.data for c in commands]))
        if self._watcher is None or self._watch_at > flight.due:
            if self._watcher is not None:
                self._watcher.cancel()
            self._watch_at = flight.due
            self._watcher = loop.call_at(flight.due, self._watch)

    async def _open(self) -> None:
        try:
            async with asyncio.timeout(self.timeout_s):
                link = await open_link(self.redis, self)
        except BaseException as exc:  # (cancelled too: no caller is left waiting forever)
            self._opening = None
            checks, self._checks = self._checks, []
            settlements, self._settlements = self._settlements, []
            settled, self._settled = self._settled, []
            failure = exc if isinstance(exc, Exception) else RedisConnectionError("cancelled")
            self._fail(checks, settled, bool(settlements), failure)
            self._calm()
            if failure is not exc:
                raise
            return
        self._opening = None
        self._link = link
        self._go()

    # -- Link's sink: replies and failures ------------------------------------------------------

    def replies(self, link: Link, replies: list[Any]) -> None:
        flight = self._flight
        if link is not self._link:
            return
        if flight is None or len(flight.replies) + len(replies) > flight.expected:
            self._break(ResponseError("Redis answered more than it was asked"))
            return
        flight.replies += replies
        if len(flight.replies) < flight.expected:
            return
        if flight.resent is None:
            results = flight.replies
            missing = [i for i, r in enumerate(results) if _no_script(r)]
            if missing:  # Redis restarted or was flushed: load the script, resend what bounced
                flight.resent, flight.replies = (results, missing), []
                link.write(b"".join([_LOAD, *[flight.commands[i].data for i in missing]]))
                return
        else:
            results, missing = flight.resent
            for i, r in zip(missing, flight.replies[1:], strict=True):
                results[i] = r
        self._flight = None
        self._deliver(flight, results)
        if self._checks or self._settlements:
            self._go()
        else:
            self._calm()

    def lost(self, link: Link, exc: BaseException) -> None:
        if link is self._link:
            self._break(exc)

    def _deliver(self, flight: _Flight, results: list[Any]) -> None:
        checks = flight.checks
        refused: BaseException | None = None
        for command, result in zip(flight.commands, results, strict=True):
            if not isinstance(result, BaseException):
                got = wire.answers(result)
                if len(got) == len(command.checks):
                    for i, answer in zip(command.checks, got, strict=True):
                        future = checks[i][1]
                        if not future.done():
                            future.set_result(answer)
                    continue
                result = ResponseError(f"{len(got)} answers to {len(command.checks)}")
            if command.settles and refused is None:
                refused = result
            for i in command.checks:
                if not checks[i][1].done():
                    checks[i][1].set_exception(result)
        for done in flight.settled:
            if done.done():
                continue
            if refused is None:
                done.set_result(None)
            else:
                done.set_exception(refused)
        if refused is not None and self.on_failure is not None:
            self.on_failure("settle", refused)

    def _watch(self) -> None:
        """Fails the pipeline in flight once it has waited ``timeout_s`` for Redis. A wake-up
        that comes late (the event loop was busy elsewhere: a burst of work, a garbage
        collection) says nothing about Redis, whose answer may be waiting unread: it gets as
        long again as the loop was late (at least ``GRACE_S``, at most ``timeout_s``), up to
        ``LATE_ROUNDS`` times. So a busy process is not a Redis outage, and an outage still
        costs a bounded wait.

        One timer watches every pipeline in turn (not one per pipeline: pipelines are answered
        in well under ``timeout_s``): when it fires early for the pipeline now in flight, it is
        set again for that one's due time."""
        self._watcher = None
        flight = self._flight
        if flight is None:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        if now < flight.due:
            self._watch_at = flight.due
            self._watcher = loop.call_at(flight.due, self._watch)
            return
        late = now - flight.due
        if late >= LATE_S and flight.late < LATE_ROUNDS:
            flight.late += 1
            flight.due = now + min(max(late, GRACE_S), self.timeout_s)
            self._watch_at = flight.due
            self._watcher = loop.call_at(flight.due, self._watch)
            return
        self._break(TimeoutError(f"Redis did not answer in {self.timeout_s * 1000:.0f} ms"))

    def _break(self, exc: BaseException) -> None:
        """Redis is away (or out of step): the connection is dropped, and the pipeline in flight
        fails, with every check queued behind it (they would only wait for the same fate)."""
        link, self._link = self._link, None
        if link is not None:
            link.abort()
        flight, self._flight = self._flight, None
        checks, self._checks = self._checks, []
        if flight is not None:
            self._fail(flight.checks + checks, flight.settled, flight.settles, exc)
        else:
            self._fail(checks, [], False, exc)
        if self._checks or self._settlements:
            self._go()  # (settlements queued meanwhile try a new connection)
        else:
            self._calm()

    def _fail(
        self,
        checks: list[Queued],
        settled: list[asyncio.Future[None]],
        settles: bool,
        exc: BaseException,
    ) -> None:
        for _, future in checks:
            if not future.done():
                future.set_exception(exc)
        for done in settled:
            if not done.done():
                done.set_exception(exc)
        if settles and self.on_failure is not None:
            self.on_failure("settle", exc)

    def _calm(self) -> None:
        if self._quiet and not self._busy():
            quiet, self._quiet = self._quiet, []
            for waiter in quiet:
                if not waiter.done():
                    waiter.set_result(None)


def _no_script(reply: Any) -> bool:
    return isinstance(reply, ResponseError) and str(reply).startswith("NOSCRIPT")
