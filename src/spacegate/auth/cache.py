"""An in-process cache of resolved principals, for the gateway's hot path.

Entries are dropped when their org's governance generation moves (any committed change to keys,
users, spaces, memberships... on this instance, or on another one via Redis) and after a short TTL.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from functools import partial

from spacegate.auth import resolver
from spacegate.auth.principal import Principal
from spacegate.kit import apikeys
from spacegate.runtime import Runtime

TTL_S = 5.0
MAX_ENTRIES = 50_000


@dataclass(slots=True)
class _Entry:
    principal: Principal
    generation: int
    fresh_until: float
    key_expires_at: float | None


#: A lookup in progress: the bus epoch it started at, and its result.
_Flight = tuple[int, "asyncio.Future[Principal]"]


class PrincipalCache:
    def __init__(self, ttl: float = TTL_S) -> None:
        self._ttl = ttl
        self._entries: dict[str, _Entry] = {}
        self._flights: dict[str, _Flight] = {}

    async def get(self, runtime: Runtime, key: str) -> Principal:
        bus = runtime.bus
        digest = apikeys.hash_key(key)
        entry = self._entries.get(digest)
        now = time.monotonic()
        if (
            entry is not None
            and entry.fresh_until > now
            and entry.generation == bus.generation(entry.principal.org_id)
            and (entry.key_expires_at is None or entry.key_expires_at > time.time())
        ):
            resolver.touch(runtime, entry.principal.api_key_id)
            return entry.principal
        # Requests that miss together share one lookup, unless something changed since it began
        # (then a request that started after a revocation must not get an answer read before).
        epoch = bus.epoch
        flight = self._flights.get(digest)
        if flight is None or flight[0] != epoch:
            task = asyncio.ensure_future(self._resolve(runtime, key, digest, epoch))
            flight = (epoch, task)
            self._flights[digest] = flight
            task.add_done_callback(partial(self._landed, digest, flight))
        return await asyncio.shield(flight[1])

    async def _resolve(self, runtime: Runtime, key: str, digest: str, epoch: int) -> Principal:
        bus = runtime.bus
        principal, expires_at = await resolver.resolve_with_expiry(runtime, key)
        if bus.epoch != epoch:  # something changed while we read: do not cache what we saw
            return principal
        generation = bus.generation(principal.org_id)
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[digest] = _Entry(
            principal,
            generation,
            time.monotonic() + self._ttl,
            expires_at.timestamp() if expires_at is not None else None,
        )
        return principal

    def _landed(self, digest: str, flight: _Flight, task: asyncio.Future[Principal]) -> None:
        if self._flights.get(digest) is flight:
            del self._flights[digest]
        if not task.cancelled():
            task.exception()  # retrieved here: every waiter may have gone away

    def clear(self) -> None:
        self._entries.clear()
