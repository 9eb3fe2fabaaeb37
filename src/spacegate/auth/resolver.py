"""Turn a presented API key into a Principal: checksum first, then one indexed lookup."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, select, update

from spacegate.auth.principal import Principal
from spacegate.errors import Unauthorized
from spacegate.kit import apikeys
from spacegate.kit.clock import utcnow
from spacegate.models import ApiKey, Space, SpaceMember, User
from spacegate.runtime import Runtime

log = logging.getLogger(__name__)

TOUCH_INTERVAL_S = 60.0
_background: set[asyncio.Task[None]] = set()


def extract_key(authorization: str | None, x_api_key: str | None) -> str:
    """The key from ``Authorization: Bearer`` or ``X-API-Key``; both may be sent if they agree."""
    bearer: str | None = None
    if authorization is not None:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthorized("Authorization header must be 'Bearer <api key>'.")
        bearer = value.strip()
    if x_api_key is not None:
        x_api_key = x_api_key.strip()
    if bearer and x_api_key and bearer != x_api_key:
        raise Unauthorized("Authorization and X-API-Key carry different keys; send one key.")
    key = bearer or x_api_key
    if not key:
        raise Unauthorized("Missing API key: send 'Authorization: Bearer <key>' or 'X-API-Key'.")
    if not apikeys.is_well_formed(key):
        raise Unauthorized("Malformed API key.")
    return key


async def resolve(runtime: Runtime, key: str) -> Principal:
    principal, _ = await resolve_with_expiry(runtime, key)
    return principal


async def resolve_with_expiry(runtime: Runtime, key: str) -> tuple[Principal, datetime | None]:
    """The principal and when its key expires (None: never)."""
    return await _principal_where(runtime, ApiKey.key_hash == apikeys.hash_key(key))


async def resolve_key_id(runtime: Runtime, api_key_id: uuid.UUID) -> Principal:
    """The principal of a stored key id: background work acts with the rights of the key that
    asked for it, as they are now (a revoked key's work is refused like its calls)."""
    principal, _ = await _principal_where(runtime, ApiKey.id == api_key_id)
    return principal


async def _principal_where(
    runtime: Runtime, where: ColumnElement[bool]
) -> tuple[Principal, datetime | None]:
    async with runtime.read_sessions() as session:
        row = (
            await session.execute(
                select(ApiKey, User).join(User, User.id == ApiKey.user_id).where(where)
            )
        ).one_or_none()
        if row is None:
            raise Unauthorized("Invalid API key.")
        api_key, user = row
        now = utcnow()
        if api_key.revoked_at is not None:
            raise Unauthorized("This API key has been revoked.")
        if api_key.expires_at is not None and api_key.expires_at <= now:
            raise Unauthorized("This API key has expired.")
        memberships = {
            m.space_id: list(m.permissions)
            for m in (
                await session.scalars(
                    select(SpaceMember)
                    .join(Space, Space.id == SpaceMember.space_id)
                    .where(SpaceMember.user_id == user.id)
                )
            )
        }
    touch(runtime, api_key.id)
    return Principal.build(
        org_id=api_key.org_id,
        user_id=user.id,
        api_key_id=api_key.id,
        role=user.role,
        user_grants=list(user.permissions),
        key_permissions=api_key.permissions,
        bound_space_id=api_key.space_id,
        memberships=memberships,
    ), api_key.expires_at


def touch(runtime: Runtime, key_id: uuid.UUID) -> None:
    """Record ``last_used_at`` at most once a minute per key, off the request path."""
    now = time.monotonic()
    last = runtime.key_touches.get(key_id)
    if last is not None and now - last < TOUCH_INTERVAL_S:
        return
    runtime.key_touches[key_id] = now
    task = asyncio.create_task(_write_touch(runtime, key_id))
    _background.add(task)
    task.add_done_callback(_background.discard)


async def _write_touch(runtime: Runtime, key_id: uuid.UUID) -> None:
    try:
        async with runtime.write_sessions() as session, session.begin():
            await session.execute(
                update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=utcnow())
            )
    except Exception:  # a missed timestamp must never fail a request
        log.warning("could not record last_used_at for api key %s", key_id, exc_info=True)


async def drain() -> None:
    """Wait for pending ``last_used_at`` writes (before shutdown, or to observe them)."""
    while _background:
        await asyncio.gather(*list(_background), return_exceptions=True)
