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
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from spacegate.gateway.limiting import completion_reserve
from spacegate.gateway.metering import UsageEvent, cost_of

if TYPE_CHECKING:
    from spacegate.gateway.catalog import Target
    from spacegate.gateway.service import Call

log = logging.getLogger(__name__)

#: UsageEvent fields that hold UUIDs, a Decimal or a datetime (read back from JSON).
_UUIDS = ("org_id", "space_id", "user_id", "api_key_id", "entitlement_id", "model_id")
_UUIDS_ALL = (*_UUIDS, "connection_id")
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

    def started(self, event: UsageEvent) -> int | None:
        """Record a call about to leave, metered as ``event`` if it never settles."""
        self._next += 1
        row = {name: getattr(event, name) for name in _FIELDS}
        try:
            # ``str`` for what orjson does not know: Decimal, the database driver's UUID type.
            os.write(self._fd, b"S %d %s\n" % (self._next, orjson.dumps(row, default=str)))
        except (OSError, TypeError):  # a full disk must not fail the call itself
            log.warning("could not journal a call; a crash now would leave it unmetered")
            return None
        return self._next

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


_FIELDS = tuple(name for name in UsageEvent.__dataclass_fields__ if name != "journal_id")


def _unsettled(data: bytes) -> list[UsageEvent]:
    started: dict[int, dict[str, Any]] = {}
    for line in data.splitlines():
        kind, _, rest = line.partition(b" ")
        try:
            if kind == b"S":
                ident, _, payload = rest.partition(b" ")
                started[int(ident)] = orjson.loads(payload)
            elif kind == b"D":
                for ident in rest.split():
                    started.pop(int(ident), None)
        except ValueError:  # a line cut by the crash: the call it began is not recorded
            continue
    return [_event(row) for row in started.values()]


def _event(row: dict[str, Any]) -> UsageEvent:
    for name in _UUIDS_ALL:
        if row.get(name) is not None:
            row[name] = uuid.UUID(row[name])
    row["cost"] = Decimal(row["cost"])
    row["created_at"] = datetime.fromisoformat(row["created_at"])
    return UsageEvent(**row)


def reservation(call: Call, body: dict[str, Any], target: Target, stream: bool) -> UsageEvent:
    """What the call is metered at if the process dies before it settles: its reservation
    (the limiter's estimate: about a token per 4 bytes of prompt, the completion it may
    ask for), marked ``usage_estimated``."""
    route = call.route
    prompt = call.size // 4 + 1
    completion = completion_reserve(call, body)
    return UsageEvent(
        org_id=call.principal.org_id,
        space_id=call.space_id,
        user_id=call.principal.user_id,
        api_key_id=call.principal.api_key_id,
        entitlement_id=route.entitlement_id,
        model_id=route.model_id,
        model=route.alias,
        upstream_model=target.upstream_model,
        connection_id=target.connection_id,
        endpoint=call.endpoint,
        type=call.type,
        purpose=call.purpose,
        step_type=call.step_type,
        status="error",
        http_status=502,
        stream=stream,
        tags=call.tags,
        correlation_id=call.correlation_id,
        request_id=call.request_id,
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion,
        usage_estimated=True,
        cost=cost_of(prompt, completion, route.input_price, route.output_price),
        error=SETTLED_ERROR,
    )


__all__ = ["SETTLED_ERROR", "Journal", "reservation"]
