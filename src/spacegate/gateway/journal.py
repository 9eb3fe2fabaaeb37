"""No usage lost to a crash: a local journal of the calls that left for a provider.

Before a call is sent upstream, one line is appended to this process's journal (``DATA_DIR/
journal/<id>.log``) with what the call would be metered at its reservation; once the meter has
committed a batch, one line marks its calls settled. Both are plain ``write`` calls on an append-
only file descriptor: the kernel keeps them when the process is killed (``kill -9``), so no fsync
is paid per call (a power cut may still lose the last lines).

Each process holds an exclusive ``flock`` on its own journal while it runs. On start, a process
takes over every journal whose owner is gone (its lock is free), meters each call that never
settled at its reservation, marked ``usage_estimated`` (in the inference log, the usage ledger and
the entitlement counters, in one transaction), and removes the file.

A line costs the call little: what does not change from call to call (who calls, the route, the
target and its prices) is written once per journal as a ``K`` line, and each call's ``S`` line
names it by number beside the few values of its own, serialised by orjson without a fallback.
The reservation is rebuilt from both when a journal is recovered.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from spacegate.gateway.limiting import completion_reserve
from spacegate.gateway.metering import UsageEvent, cost_of

if TYPE_CHECKING:
    from spacegate.auth.principal import Principal
    from spacegate.gateway.call import Call
    from spacegate.gateway.catalog import Route, Target

log = logging.getLogger(__name__)

#: UsageEvent fields that hold UUIDs, a Decimal or a datetime (read back from JSON).
_UUIDS_ALL = (
    "org_id",
    "space_id",
    "user_id",
    "api_key_id",
    "entitlement_id",
    "model_id",
    "connection_id",
)
SETTLED_ERROR = (
    "The gateway stopped before this call finished; its usage is settled at its reservation."
)


class Journal:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.path = directory / f"{uuid.uuid4().hex}.log"
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._next = 0
        #: The ``K`` lines written, by the objects they describe. The objects are kept with their
        #: number, so that their ``id`` is not reused by another while it names a line.
        self._kinds: dict[tuple[int, int, int], tuple[bytes, Principal, Route, Target]] = {}
        self._kind_count = 0

    def started(self, call: Call, body: dict[str, Any], target: Target, stream: bool) -> int | None:
        """Record a call about to leave for ``target``, metered at its reservation (about a
        token per 4 bytes of prompt, the completion it may ask for) if it never settles."""
        principal, route = call.principal, call.route
        kind = self._kinds.get((id(principal), id(route), id(target)))
        try:
            if kind is None:
                kind = self._kind(principal, route, target)
            self._next += 1
            mine = orjson.dumps(
                (
                    call.space_id,
                    call.endpoint,
                    call.type,
                    call.purpose,
                    call.step_type,
                    stream,
                    call.tags,
                    call.correlation_id,
                    call.request_id,
                    call.size // 4 + 1,
                    completion_reserve(call, body),
                    time.time(),
                ),
                default=str,  # the database driver's UUID type
            )
            os.write(self._fd, b"S %d %s %s\n" % (self._next, kind[0], mine))
        except (OSError, TypeError):  # a full disk must not fail the call itself
            log.warning("could not journal a call; a crash now would leave it unmetered")
            return None
        return self._next

    def _kind(
        self, principal: Principal, route: Route, target: Target
    ) -> tuple[bytes, Principal, Route, Target]:
        if len(self._kinds) >= _KINDS_KEPT:
            self._kinds.clear()  # written again when next used
        self._kind_count += 1
        number = b"%d" % self._kind_count
        fixed = {
            "org_id": principal.org_id,
            "user_id": principal.user_id,
            "api_key_id": principal.api_key_id,
            "entitlement_id": route.entitlement_id,
            "model_id": route.model_id,
            "model": route.alias,
            "upstream_model": target.upstream_model,
            "connection_id": target.connection_id,
            "input_price": route.input_price,
            "output_price": route.output_price,
        }
        # ``str`` for what orjson does not know: Decimal, the database driver's UUID type.
        os.write(self._fd, b"K %s %s\n" % (number, orjson.dumps(fixed, default=str)))
        kind = (number, principal, route, target)
        self._kinds[(id(principal), id(route), id(target))] = kind
        return kind

    def settled(self, ids: Iterable[int | None]) -> None:
        """Mark calls whose usage the meter has committed."""
        marks = b" ".join(b"%d" % i for i in ids if i is not None)
        if marks:
            os.write(self._fd, b"D " + marks + b"\n")

    def close(self) -> None:
        """A clean stop: every call was settled (the meter flushed), so the journal goes."""
        with contextlib.suppress(OSError):
            os.close(self._fd)
        with contextlib.suppress(OSError):
            self.path.unlink()

    async def recover(self, write: Callable[[list[UsageEvent]], Awaitable[None]]) -> int:
        """Meter the unsettled calls of every journal left by a process that is gone."""
        recovered = 0
        for path in sorted(self.directory.glob("*.log")):
            if path == self.path:
                continue
            try:
                fd = os.open(path, os.O_RDWR)
            except OSError:
                continue
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # its process is still running
                events = _unsettled(path.read_bytes())
                if events:
                    await write(events)
                    log.warning(
                        "settled %d call(s) left unfinished by a stopped gateway at their "
                        "reservation (usage_estimated)",
                        len(events),
                    )
                recovered += len(events)
                path.unlink()
            except Exception:
                log.warning("could not settle the journal %s; will retry", path, exc_info=True)
            finally:
                os.close(fd)
        return recovered


#: How many distinct callers x routes x targets a journal describes before it starts afresh.
_KINDS_KEPT = 4096
#: The values of a call's own in its ``S`` line, in order.
_MINE = (
    "space_id",
    "endpoint",
    "type",
    "purpose",
    "step_type",
    "stream",
    "tags",
    "correlation_id",
    "request_id",
    "prompt_tokens",
    "completion_tokens",
    "created_at",
)


def _unsettled(data: bytes) -> list[UsageEvent]:
    kinds: dict[bytes, dict[str, Any]] = {}
    started: dict[int, UsageEvent] = {}
    for line in data.splitlines():
        kind, _, rest = line.partition(b" ")
        try:
            if kind == b"K":
                number, _, payload = rest.partition(b" ")
                kinds[number] = orjson.loads(payload)
            elif kind == b"S":
                ident, _, rest = rest.partition(b" ")
                if rest.startswith(b"{"):  # a whole reservation, as journals were once written
                    started[int(ident)] = _whole(orjson.loads(rest))
                    continue
                number, _, payload = rest.partition(b" ")
                started[int(ident)] = _event(kinds[number], orjson.loads(payload))
            elif kind == b"D":
                for ident in rest.split():
                    started.pop(int(ident), None)
        except (ValueError, KeyError, TypeError):
            continue  # a line cut by the crash: the call it began is not recorded
    return list(started.values())


def _uuids(row: dict[str, Any]) -> dict[str, Any]:
    for name in _UUIDS_ALL:
        if row.get(name) is not None:
            row[name] = uuid.UUID(row[name])
    return row


def _whole(row: dict[str, Any]) -> UsageEvent:
    _uuids(row)
    row["cost"] = Decimal(row["cost"])
    row["created_at"] = datetime.fromisoformat(row["created_at"])
    return UsageEvent(**row)


def _event(fixed: dict[str, Any], values: list[Any]) -> UsageEvent:
    row = _uuids({**fixed, **dict(zip(_MINE, values, strict=True))})
    prices = [
        Decimal(p) if p is not None else None
        for p in (row.pop("input_price"), row.pop("output_price"))
    ]
    prompt, completion = row["prompt_tokens"], row["completion_tokens"]
    row["created_at"] = datetime.fromtimestamp(row["created_at"], UTC)
    return UsageEvent(
        **row,
        status="error",
        http_status=502,
        total_tokens=prompt + completion,
        usage_estimated=True,
        cost=cost_of(prompt, completion, *prices),
        error=SETTLED_ERROR,
    )


__all__ = ["SETTLED_ERROR", "Journal"]
