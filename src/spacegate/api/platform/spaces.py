"""Seed 004 "spaces": CRUD, soft delete and restore, invitations and members."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query

from spacegate.api.deps import After, CursorsDep, Limit, PrincipalDep, RuntimeDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.spaces.service import SpaceService
from spacegate.wire.base import (
    IdResponse,
    ListResponse,
)
from spacegate.wire.platform.spaces import (
    InvitationRead,
    InviteRequest,
    InviteResponse,
    IssuedInvitationRead,
    MemberRead,
    SpaceCreate,
    SpaceRead,
    SpaceUpdate,
)

router = APIRouter(prefix="/v1/spaces", tags=["spaces"], route_class=UnitOfWorkRoute)
SpaceId = Annotated[uuid.UUID, Path(description="Space ID")]


def _svc(session: SessionDep, principal: PrincipalDep, cursors: CursorsDep) -> SpaceService:
    return SpaceService(session, principal, cursors)


@router.get("", summary="Get all spaces", responses=errors(*AUTHED, 400))
async def list_spaces(
    session: SessionDep,
    principal: PrincipalDep,
    cursors: CursorsDep,
    limit: Limit = 10,
    after: After = None,
    deleted: Annotated[
        bool, Query(description="List the soft-deleted spaces instead (to restore one).")
    ] = False,
) -> ListResponse[SpaceRead]:
    svc = _svc(session, principal, cursors)
    page = await svc.list_page(limit=limit, after=after, deleted=deleted)
    data = [SpaceRead.model_validate(s) for s in page.items]
    return ListResponse.of(data, page)


@router.post("", status_code=201, summary="Create space", responses=errors(*AUTHED, 400, 409))
async def create_space(
    body: SpaceCreate, session: SessionDep, principal: PrincipalDep, cursors: CursorsDep
) -> SpaceRead:
    space = await _svc(session, principal, cursors).create(
        name=body.name, description=body.description
    )
    return SpaceRead.model_validate(space)


@router.get("/{id}", summary="Get space", responses=errors(*AUTHED, 404))
async def get_space(
    id: SpaceId, session: SessionDep, principal: PrincipalDep, cursors: CursorsDep
) -> SpaceRead:
    return SpaceRead.model_validate(await _svc(session, principal, cursors).get(id))


@router.patch("/{id}", summary="Update space", responses=errors(*AUTHED, 404))
async def update_space(
    id: SpaceId,
    body: SpaceUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    cursors: CursorsDep,
) -> SpaceRead:
    space = await _svc(session, principal, cursors).update(
        id, name=body.name, description=body.description
    )
    return SpaceRead.model_validate(space)


@router.delete("/{id}", summary="Delete space (soft)", responses=errors(*AUTHED, 404))
async def delete_space(
    id: SpaceId, session: SessionDep, principal: PrincipalDep, cursors: CursorsDep
) -> IdResponse:
    space = await _svc(session, principal, cursors).delete(id)
    return IdResponse(id=str(space.id))


@router.post("/{id}/restore", summary="Restore space", responses=errors(*AUTHED, 400, 404, 409))
async def restore_space(
    id: SpaceId, session: SessionDep, principal: PrincipalDep, cursors: CursorsDep
) -> IdResponse:
    space = await _svc(session, principal, cursors).restore(id)
    return IdResponse(id=str(space.id))


@router.post("/{id}/invite", summary="Invite space", responses=errors(*AUTHED, 400, 404, 409))
async def invite(
    id: SpaceId,
    body: InviteRequest,
    session: SessionDep,
    principal: PrincipalDep,
    cursors: CursorsDep,
    runtime: RuntimeDep,
) -> InviteResponse:
    ttl = timedelta(hours=runtime.settings.invitation_ttl_hours)
    issued = await _svc(session, principal, cursors).invite(
        id, emails=[str(e) for e in body.emails], permissions=body.roles, role=body.role, ttl=ttl
    )
    return InviteResponse(
        emails=[i.invitation.email for i in issued],
        invitations=[
            IssuedInvitationRead.model_validate(
                {**InvitationRead.model_validate(i.invitation).model_dump(), "token": i.token}
            )
            for i in issued
        ],
    )


@router.get("/{id}/invitations", summary="List pending invitations", responses=errors(*AUTHED, 404))
async def list_invitations(
    id: SpaceId, session: SessionDep, principal: PrincipalDep, cursors: CursorsDep
) -> list[InvitationRead]:
    rows = await _svc(session, principal, cursors).invitations(id)
    return [InvitationRead.model_validate(r) for r in rows]


@router.get("/{id}/members", summary="List space members", responses=errors(*AUTHED, 404))
async def list_members(
    id: SpaceId, session: SessionDep, principal: PrincipalDep, cursors: CursorsDep
) -> list[MemberRead]:
    rows = await _svc(session, principal, cursors).members(id)
    return [MemberRead.model_validate(r) for r in rows]
