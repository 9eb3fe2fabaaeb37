"""Cache invalidation for governance data, on this instance and across instances.

Every committed change to a governed table bumps a per-org *generation*. Cached gateway decisions
(who a key is, what a space may call) remember the generation they were computed at and are
thrown away when it moved. Other instances learn of a bump through Redis pub/sub when Redis is
configured; a short TTL on cache entries bounds staleness if a message is ever lost.

It hooks SQLAlchemy's session events, so no service has to remember to invalidate anything; each
process's ``Runtime`` owns one bus and its sessions carry it in ``session.info["bus"]``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

log = logging.getLogger(__name__)

CHANNEL = "spacegate:invalidate"
#: Tables whose changes can alter an authentication or gateway decision.
GOVERNED = frozenset(
    {
        "api_keys",
        "users",
        "spaces",
        "space_members",
        "registered_models",
        "model_targets",
        "provider_connections",
        "entitlements",
        "orgs",
    }
)


class InvalidationBus:
    def __init__(self) -> None:
        self._generations: dict[uuid.UUID, int] = {}
        #: Moves on every bump of any org: a reader that saw it move while loading must not cache.
        self.epoch = 0
        #: Added to every org's generation; moved to drop every cached entry at once.
        self._base = 0
        self._redis: Redis | None = None
        self._listener: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[Any]] = set()
        self.instance_id = uuid.uuid4().hex

    def generation(self, org_id: uuid.UUID) -> int:
        return self._base + self._generations.get(org_id, 0)

    def bump_all(self) -> None:
        self._base += 1
        self.epoch += 1

    def bump_local(self, org_id: uuid.UUID) -> None:
        self._generations[org_id] = self._generations.get(org_id, 0) + 1
        self.epoch += 1

    def changed(self, org_ids: set[uuid.UUID]) -> None:
        """Called after a commit that changed governed rows of these orgs."""
        for org_id in org_ids:
            self.bump_local(org_id)
        if self._redis is None or not org_ids:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        payload = self.instance_id + " " + " ".join(str(o) for o in org_ids)
        task = loop.create_task(self._publish(payload))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _publish(self, payload: str) -> None:
        assert self._redis is not None
        try:
            await self._redis.publish(CHANNEL, payload)
        except Exception:  # other instances fall back to the cache TTL
            log.warning("could not publish cache invalidation", exc_info=True)

    async def start(self, redis: Redis | None, url: str | None = None) -> None:
        """Publish through ``redis``; listen on a connection of its own (``url``) that, unlike
        the request-path client, has no short socket timeout to trip over while idle."""
        self._redis = redis
        if redis is not None and url is not None:
            listener = Redis.from_url(url, socket_connect_timeout=1.0, health_check_interval=15)
            self._listener = asyncio.create_task(self._listen(listener))

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        self._redis = None

    async def _listen(self, redis: Redis) -> None:
        try:
            while True:
                try:
                    await self._listen_once(redis)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    # Redis away: entries expire by TTL meanwhile. Bump everything on reconnect,
                    # since messages published while we were away are lost.
                    log.warning("invalidation listener lost Redis; retrying", exc_info=True)
                    await asyncio.sleep(1.0)
                    self.bump_all()
        finally:
            await redis.aclose()

    async def _listen_once(self, redis: Redis) -> None:
        async with redis.pubsub(ignore_subscribe_messages=True) as pubsub:
            await pubsub.subscribe(CHANNEL)
            async for message in pubsub.listen():
                self._apply(message.get("data"))

    def _apply(self, data: Any) -> None:
        if isinstance(data, bytes):
            data = data.decode()
        if not isinstance(data, str):
            return
        sender, *orgs = data.split()
        if sender == self.instance_id:
            return
        for raw in orgs:
            with contextlib.suppress(ValueError):
                self.bump_local(uuid.UUID(raw))


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _flush: UOWTransaction) -> None:
    touched: set[uuid.UUID] = session.info.setdefault("invalidate_orgs", set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table in GOVERNED:
            org_id = obj.id if table == "orgs" else getattr(obj, "org_id", None)
            if org_id is not None:
                touched.add(org_id)


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    touched = session.info.pop("invalidate_orgs", None)
    bus: InvalidationBus | None = session.info.get("bus")
    if touched and bus is not None:
        bus.changed(touched)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("invalidate_orgs", None)


def touch(session: Any, org_id: uuid.UUID) -> None:
    """Mark an org changed by a bulk statement the flush hooks cannot see."""
    session.info.setdefault("invalidate_orgs", set()).add(org_id)
