"""What a space may call, resolved once and cached until governance data changes.

The gateway reads the entitlement, the model, its targets and their connections in two queries,
then serves every later request for the same (space, model) from memory. Entries are keyed by the
org's invalidation generation (see ``kit.invalidation``) and expire after a short TTL.

This is a read model of the registry and entitlement tables, kept here on purpose: the hot path
needs one denormalised lookup, not a chain of service calls.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from spacegate.kit.invalidation import InvalidationBus
from spacegate.models import Entitlement, ModelTarget, ProviderConnection, RegisteredModel, Space

TTL_S = 5.0
MAX_ENTRIES = 100_000

#: (org_id, connection_id, ciphertext, key_version) -> plaintext credential
Decrypt = Callable[[uuid.UUID, uuid.UUID, bytes, int], str]


@dataclass(frozen=True, slots=True)
class Target:
    id: uuid.UUID
    connection_id: uuid.UUID
    protocol: str
    base_url: str
    api_key: str | None
    config: dict[str, Any]
    upstream_model: str
    priority: int
    weight: int


@dataclass(frozen=True, slots=True)
class Route:
    entitlement_id: uuid.UUID
    enabled: bool
    is_default: bool
    limits: dict[str, Any]
    allowed_endpoints: frozenset[str]
    allowed_purposes: frozenset[str]
    allowed_step_types: frozenset[str]
    model_id: uuid.UUID
    alias: str
    model_enabled: bool
    context_window: int | None
    capabilities: tuple[str, ...]
    overrides: dict[str, Any]
    strategy: str
    input_price: Decimal | None
    output_price: Decimal | None
    created_at: datetime
    targets: tuple[Target, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class SpaceState:
    exists: bool
    deleted: bool


#: A load in progress: the bus epoch it started at, and its result.
_Flight = tuple[int, "asyncio.Future[Any]"]


@dataclass(slots=True)
class _Entry:
    value: Any
    generation: int
    fresh_until: float


class Catalog:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        decrypt: Decrypt,
        bus: InvalidationBus,
        ttl: float = TTL_S,
    ) -> None:
        self._sessions = sessions
        self._bus = bus
        self._ttl = ttl
        self._decrypt = decrypt
        self._entries: dict[tuple[Any, ...], _Entry] = {}
        self._flights: dict[tuple[Any, ...], _Flight] = {}

    def _get(self, key: tuple[Any, ...], org_id: uuid.UUID) -> tuple[bool, Any]:
        entry = self._entries.get(key)
        if entry is None or entry.fresh_until < time.monotonic():
            return False, None
        if entry.generation != self._bus.generation(org_id):
            return False, None
        return True, entry.value

    def _put(self, key: tuple[Any, ...], org_id: uuid.UUID, epoch: int, value: Any) -> None:
        if self._bus.epoch != epoch:  # changed while loading: serve it once, don't keep it
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = _Entry(
            value, self._bus.generation(org_id), time.monotonic() + self._ttl
        )

    async def _cached(
        self, key: tuple[Any, ...], org_id: uuid.UUID, load: Callable[[], Awaitable[Any]]
    ) -> Any:
        """The cached value, else one load shared by every caller that misses meanwhile.

        When an entry expires under load, every request in flight would otherwise run the same
        queries at once. A caller joins a load only if nothing changed since it started (same
        epoch), so a request that begins after a revocation never gets an answer read before it.
        """
        hit, value = self._get(key, org_id)
        if hit:
            return value
        epoch = self._bus.epoch
        flight = self._flights.get(key)
        if flight is None or flight[0] != epoch:
            flight = (epoch, asyncio.ensure_future(self._fill(key, org_id, epoch, load)))
            self._flights[key] = flight
            flight[1].add_done_callback(partial(self._landed, key, flight))
        return await asyncio.shield(flight[1])

    async def _fill(
        self,
        key: tuple[Any, ...],
        org_id: uuid.UUID,
        epoch: int,
        load: Callable[[], Awaitable[Any]],
    ) -> Any:
        value = await load()
        self._put(key, org_id, epoch, value)
        return value

    def _landed(self, key: tuple[Any, ...], flight: _Flight, task: asyncio.Future[Any]) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        if not task.cancelled():
            task.exception()  # retrieved here: every waiter may have gone away

    async def space(self, org_id: uuid.UUID, space_id: uuid.UUID) -> SpaceState:
        async def load() -> SpaceState:
            async with self._sessions() as session:
                row = (
                    await session.execute(
                        select(Space.deleted_at).where(Space.org_id == org_id, Space.id == space_id)
                    )
                ).first()
            return SpaceState(
                exists=row is not None, deleted=row is not None and row[0] is not None
            )

        state: SpaceState = await self._cached(("space", org_id, space_id), org_id, load)
        return state

    async def route(self, org_id: uuid.UUID, space_id: uuid.UUID, ref: str | None) -> Route | None:
        """The entitlement of ``ref`` (alias or tenant_model_id; None: the default) in the space."""

        async def load() -> Route | None:
            async with self._sessions() as session:
                return await self._load_route(session, org_id, space_id, ref)

        route: Route | None = await self._cached(("route", org_id, space_id, ref), org_id, load)
        return route

    async def _load_route(
        self, session: AsyncSession, org_id: uuid.UUID, space_id: uuid.UUID, ref: str | None
    ) -> Route | None:
        stmt = (
            select(Entitlement, RegisteredModel)
            .join(RegisteredModel, RegisteredModel.id == Entitlement.model_id)
            .where(Entitlement.org_id == org_id, Entitlement.space_id == space_id)
        )
        if ref is None:
            stmt = stmt.where(Entitlement.is_default.is_(True))
        else:
            ref_id = _as_uuid(ref)
            cond = RegisteredModel.alias == ref
            stmt = stmt.where(or_(cond, RegisteredModel.id == ref_id) if ref_id else cond)
        row = (await session.execute(stmt.limit(1))).first()
        if row is None:
            return None
        ent, model = row
        return _route(ent, model, await self._load_targets(session, org_id, model.id))

    async def _load_targets(
        self, session: AsyncSession, org_id: uuid.UUID, model_id: uuid.UUID
    ) -> tuple[Target, ...]:
        rows = await session.execute(
            select(ModelTarget, ProviderConnection)
            .join(ProviderConnection, ProviderConnection.id == ModelTarget.connection_id)
            .where(
                ModelTarget.org_id == org_id,
                ModelTarget.model_id == model_id,
                ProviderConnection.enabled.is_(True),
            )
            .order_by(ModelTarget.priority, ModelTarget.id)
        )
        out = []
        for target, conn in rows:
            key = (
                self._decrypt(org_id, conn.id, conn.api_key_ciphertext, conn.key_version)
                if conn.api_key_ciphertext
                else None
            )
            out.append(
                Target(
                    id=target.id,
                    connection_id=conn.id,
                    protocol=conn.type,
                    base_url=conn.base_url,
                    api_key=key,
                    config=dict(conn.config or {}),
                    upstream_model=target.upstream_model,
                    priority=target.priority,
                    weight=target.weight,
                )
            )
        return tuple(out)

    async def entitled_models(self, org_id: uuid.UUID, space_id: uuid.UUID) -> list[Route]:
        """Every enabled entitlement of an enabled model in the space (for ``GET /v1/models``)."""
        key = ("models", org_id, space_id)
        hit, value = self._get(key, org_id)
        if hit:
            cached: list[Route] = value
            return cached
        epoch = self._bus.epoch
        async with self._sessions() as session:
            rows = await session.execute(
                select(Entitlement, RegisteredModel)
                .join(RegisteredModel, RegisteredModel.id == Entitlement.model_id)
                .where(
                    Entitlement.org_id == org_id,
                    Entitlement.space_id == space_id,
                    Entitlement.enabled.is_(True),
                    RegisteredModel.enabled.is_(True),
                )
                .order_by(RegisteredModel.alias)
            )
            routes = [_route(ent, model, ()) for ent, model in rows]
        self._put(key, org_id, epoch, routes)
        return routes

    def clear(self) -> None:
        self._entries.clear()


def _route(ent: Entitlement, model: RegisteredModel, targets: tuple[Target, ...]) -> Route:
    return Route(
        entitlement_id=ent.id,
        enabled=ent.enabled,
        is_default=ent.is_default,
        limits=dict(ent.workspace_limits or {}),
        allowed_endpoints=frozenset(ent.allowed_endpoints or ()),
        allowed_purposes=frozenset(ent.allowed_purposes or ()),
        allowed_step_types=frozenset(ent.allowed_step_types or ()),
        model_id=model.id,
        alias=model.alias,
        model_enabled=model.enabled,
        context_window=model.context_window,
        capabilities=tuple(model.capabilities or ()),
        overrides=dict(model.request_overrides or {}),
        strategy=model.routing_strategy,
        input_price=model.input_price_per_mtok,
        output_price=model.output_price_per_mtok,
        created_at=model.created_at,
        targets=targets,
    )


def _as_uuid(value: str) -> uuid.UUID | None:
    if len(value) not in (32, 36):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
