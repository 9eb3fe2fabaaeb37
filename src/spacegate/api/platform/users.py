"""Seed 004 "users": the caller's profile, user administration, permissions, accepting invites."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path

from spacegate.api.deps import After, CursorsDep, Limit, PrincipalDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import NoIdempotency, UnitOfWorkRoute
from spacegate.errors import AppError
from spacegate.users.service import UserService, accept_invitation
from spacegate.wire.base import ListResponse
from spacegate.wire.platform.users import (
    AcceptedRead,
    AcceptInvite,
    PermissionsBody,
    PermissionsRead,
    SpaceAccessRead,
    UserMe,
    UserRead,
    UserUpdate,
)

router = APIRouter(prefix="/v1/users", tags=["users"], route_class=UnitOfWorkRoute)
UserId = Annotated[uuid.UUID, Path(description="User ID")]


def _svc(session: SessionDep, principal: PrincipalDep, cursors: CursorsDep) -> UserService:
    return UserService(session, principal, cursors)


@router.get("/me", summary="Get logged user informations", responses=errors(401))
async def get_me(session: SessionDep, principal: PrincipalDep, cursors: CursorsDep) -> UserMe:
    svc = _svc(session, principal, cursors)
    user = await svc.me()
    spaces = [SpaceAccessRead.model_validate(s) for s in await svc.spaces_of_caller()]
    return UserMe(
        id=user.id,
        org_id=principal.org_id,
        email=user.email,
        external_id=user.external_id,
        first_name=user.first_name,
        last_name=user.last_name,
        role=user.role,
        permissions=principal.effective_permissions(),
        spaces=spaces,
    )


@router.patch("/me", summary="Update user", responses=errors(*AUTHED))
async def update_me(
    body: UserUpdate, session: SessionDep, principal: PrincipalDep, cursors: CursorsDep
) -> UserRead:
    user = await _svc(session, principal, cursors).update_me(
        first_name=body.first_name, last_name=body.last_name, role=body.role
    )
    return UserRead.model_validate(user)


@router.api_route(
    "/accept-invite",
    methods=["GET", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
async def accept_invite_other_methods() -> None:
    """Without this, ``PATCH /v1/users/accept-invite`` would match ``/v1/users/{id}`` (422)."""
    raise AppError(
        "Method Not Allowed", status_code=405, code="method_not_allowed", headers={"Allow": "POST"}
    )


@router.post(
    "/accept-invite",
    summary="Accept invite",
    description="Redeem an invitation token. Needs no API key: the token is the credential.",
    dependencies=[NoIdempotency],
    responses=errors(404, 410),
)
async def accept_invite(body: AcceptInvite, session: SessionDep) -> AcceptedRead:
    accepted = await accept_invitation(
        session, token=body.token, first_name=body.first_name, last_name=body.last_name
    )
    return AcceptedRead(
        user=UserRead.model_validate(accepted.user),
        space_id=accepted.space_id,
        permissions=accepted.permissions,
        api_key=accepted.api_key,
        api_key_id=accepted.api_key_id,
    )


@router.get("", summary="List users", responses=errors(*AUTHED, 400))
async def list_users(
    session: SessionDep,
    principal: PrincipalDep,
    cursors: CursorsDep,
    limit: Limit = 10,
    after: After = None,
) -> ListResponse[UserRead]:
    page = await _svc(session, principal, cursors).list_page(limit=limit, after=after)
    data = [UserRead.model_validate(u) for u in page.items]
    return ListResponse.of(data, page)


@router.get("/{id}", summary="Get user", responses=errors(*AUTHED, 404))
async def get_user(
    id: UserId, session: SessionDep, principal: PrincipalDep, cursors: CursorsDep
) -> UserRead:
    return UserRead.model_validate(await _svc(session, principal, cursors).get(id))


@router.patch("/{id}", summary="Update a user (admins)", responses=errors(*AUTHED, 404))
async def update_user(
    id: UserId, body: UserUpdate, session: SessionDep, principal: PrincipalDep, cursors: CursorsDep
) -> UserRead:
    user = await _svc(session, principal, cursors).update(
        id, first_name=body.first_name, last_name=body.last_name, role=body.role
    )
    return UserRead.model_validate(user)


@router.post(
    "/{id}/permissions",
    summary="Add permissions to a user",
    responses=errors(*AUTHED, 400, 404, 409),
)
async def add_permissions(
    id: UserId,
    body: PermissionsBody,
    session: SessionDep,
    principal: PrincipalDep,
    cursors: CursorsDep,
) -> PermissionsRead:
    user = await _svc(session, principal, cursors).add_permissions(id, body.permissions)
    return PermissionsRead(permissions=user.permissions)
