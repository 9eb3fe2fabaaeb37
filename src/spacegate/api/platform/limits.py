"""Admin routes for limits: an org's request limit, and an API key's own limits."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request

from spacegate.api.deps import CursorsDep, PrincipalDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.limits import policy
from spacegate.limits.admin import LimitAdmin
from spacegate.limits.service import LimitService
from spacegate.models import ApiKey, Org
from spacegate.wire.platform.limits import (
    KeyLimits,
    KeyLimitsRead,
    OrgRateLimitRead,
    OrgRateLimitUpdate,
    WindowRead,
)

router = APIRouter(tags=["limits"], route_class=UnitOfWorkRoute)
OrgId = Annotated[uuid.UUID, Path(description="Org ID")]
KeyId = Annotated[uuid.UUID, Path(description="API key ID")]


def _org_read(org: Org, limits: LimitService) -> OrgRateLimitRead:
    windows = policy.parse(org.rate_limit) if org.rate_limit is not None else limits.default_windows
    return OrgRateLimitRead(
        rate_limit=policy.render(windows),
        is_default=org.rate_limit is None,
        windows=[WindowRead(limit=w.limit, window_seconds=w.seconds) for w in windows],
    )


def _key_read(key: ApiKey) -> KeyLimitsRead:
    return KeyLimitsRead(id=key.id, rpm=key.rpm, tpm=key.tpm, max_concurrency=key.max_concurrency)


def _admin(session: SessionDep, principal: PrincipalDep, cursors: CursorsDep) -> LimitAdmin:
    return LimitAdmin(session, principal, cursors)


@router.get(
    "/v1/orgs/{org_id}/rate-limit", summary="Get org rate limit", responses=errors(*AUTHED, 404)
)
async def get_org_rate_limit(
    org_id: OrgId,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    cursors: CursorsDep,
) -> OrgRateLimitRead:
    org = await _admin(session, principal, cursors).org(org_id)
    return _org_read(org, request.app.state.limits)


@router.put(
    "/v1/orgs/{org_id}/rate-limit",
    summary="Set org rate limit",
    responses=errors(*AUTHED, 404),
)
async def set_org_rate_limit(
    org_id: OrgId,
    body: OrgRateLimitUpdate,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    cursors: CursorsDep,
) -> OrgRateLimitRead:
    org = await _admin(session, principal, cursors).set_org_rate_limit(org_id, body.rate_limit)
    return _org_read(org, request.app.state.limits)


@router.get(
    "/v1/api-keys/{id}/limits", summary="Get API key limits", responses=errors(*AUTHED, 404)
)
async def get_key_limits(
    id: KeyId, session: SessionDep, principal: PrincipalDep, cursors: CursorsDep
) -> KeyLimitsRead:
    return _key_read(await _admin(session, principal, cursors).key(id))


@router.put(
    "/v1/api-keys/{id}/limits",
    summary="Set API key limits",
    description="Replaces the key's own limits (absent or null: no limit). Gateway calls with the "
    "key then pass both these and their space's limits.",
    responses=errors(*AUTHED, 404),
)
async def set_key_limits(
    id: KeyId,
    body: KeyLimits,
    session: SessionDep,
    principal: PrincipalDep,
    cursors: CursorsDep,
) -> KeyLimitsRead:
    key = await _admin(session, principal, cursors).set_key_limits(
        id, rpm=body.rpm, tpm=body.tpm, max_concurrency=body.max_concurrency
    )
    return _key_read(key)
