"""Job kinds and what a handler is given."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacegate.auth.principal import Principal
    from spacegate.runtime import Runtime


class JobCancelled(Exception):
    """Raised by ``JobContext.checkpoint`` when someone asked to stop the job."""


class RetryLater(Exception):
    """A transient failure: the job is queued again after ``delay`` seconds (while it has tries)."""

    def __init__(self, message: str, delay: float = 5.0) -> None:
        super().__init__(message)
        self.delay = delay


@dataclass
class JobContext:
    runtime: Runtime
    id: uuid.UUID
    kind: str
    org_id: uuid.UUID
    space_id: uuid.UUID | None
    subject_id: uuid.UUID | None
    payload: dict[str, Any]
    attempts: int
    created_by: uuid.UUID | None
    api_key_id: uuid.UUID | None
    #: The app's gateway, for model calls made as the job's caller (``gateway.inprocess``).
    gateway: Any = None
    #: Set by the runner's heartbeat when a cancel was requested.
    cancel_requested: bool = False
    _progress: dict[str, Any] = field(default_factory=dict)
    _dirty: bool = False

    def progress(self, **values: Any) -> None:
        """Record progress; the heartbeat writes it (and ``checkpoint`` at once)."""
        self._progress.update(values)
        self._dirty = True

    async def checkpoint(self) -> None:
        """Write progress now and stop here if the job was cancelled."""
        from spacegate.jobs import queue

        self.cancel_requested = await queue.heartbeat(self) or self.cancel_requested
        if self.cancel_requested:
            raise JobCancelled("Cancelled on request.")

    async def principal(self) -> Principal:
        """The caller who asked for the job, with its rights as they are now."""
        from spacegate.auth.resolver import resolve_key_id

        if self.api_key_id is None:
            raise RuntimeError(f"job {self.id} has no api key to act as")
        return await resolve_key_id(self.runtime, self.api_key_id)


Handler = Callable[[JobContext], Awaitable[dict[str, Any] | None]]
_HANDLERS: dict[str, Handler] = {}
_LONG: set[str] = set()


def handler(kind: str, *, long: bool = False) -> Callable[[Handler], Handler]:
    """Register the handler of a job kind (at import time of its product area). ``long`` kinds
    (a training, a dataset's ingestion) run in ``job_concurrency`` slots at most, so short ones
    (a webhook delivery, an evaluation, a scan) always find a slot of their own."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        if long:
            _LONG.add(kind)
        else:
            _LONG.discard(kind)
        return fn

    return register


def handlers() -> dict[str, Handler]:
    return dict(_HANDLERS)


def long_kinds() -> frozenset[str]:
    return frozenset(_LONG)
