"""MechaMental model entitlements (seed 002): org -> workspace -> entitlement of a logical model.

A workspace is a Spacegate space and a logical model is a registry model named by its alias, so
these routes read and write the same rows as Aimable's allowed-models API. Grant answers 201
Created (the entitlement in the body); revoke answers 204 with an empty body.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from spacegate.api.aimable.space_models import UUIDParam
from spacegate.api.deps import CursorsDep, PrincipalDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.auth.principal import Principal
from spacegate.entitlements.service import EntitlementService
from spacegate.errors import NotFound
from spacegate.wire.mechamental.schemas import (
    EntitlementGrant,
    EntitlementList,
    EntitlementPatch,
    EntitlementRead,
)

PREFIX = "/v1/orgs/{org_id}/workspaces/{workspace_id}/model-entitlements"


async def _own_org(
    principal: PrincipalDep,
    org_id: Annotated[str, Path(max_length=64, description="Org Id (the caller's own org).")],
) -> Principal:
    # Any org id but the caller's answers 404, whether it exists or not (no existence leak).
    try:
        ok = uuid.UUID(org_id) == principal.org_id
    except ValueError:
        ok = False
    if not ok:
        raise NotFound(f"Org '{org_id}' not found", code="org_not_found")
    return principal


router = APIRouter(
    prefix=PREFIX,
    tags=["model-entitlements"],
    route_class=UnitOfWorkRoute,
    dependencies=[Depends(_own_org)],
)
WorkspaceId = Annotated[UUIDParam, Path(description="Workspace Id (a space UUID).")]
#: Aliases may contain ``/`` (``meta-llama/Llama-3.1-8B``), hence the ``:path`` converter.
LogicalModel = Annotated[str, Path(max_length=200, description="Logical Model Id (the alias).")]


def _svc(session: SessionDep, principal: PrincipalDep, cursors: CursorsDep) -> EntitlementService:
    return EntitlementService(session, principal, cursors)


@router.get("", summary="List Workspace Entitlements", responses=errors(*AUTHED, 400, 404))
async def list_workspace_entitlements(
    workspace_id: WorkspaceId,
    session: SessionDep,
    principal: PrincipalDep,
    cursors: CursorsDep,
    enabled_only: Annotated[bool, Query(description="Only enabled entitlements.")] = False,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size (1-100).")] = 50,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> EntitlementList:
    svc = _svc(session, principal, cursors)
    page = await svc.list_page(workspace_id, limit=limit, cursor=cursor, enabled_only=enabled_only)
    total = await svc.count(workspace_id, enabled_only=enabled_only)
    return EntitlementList(
        total=total,
        has_more=page.has_more,
        next_cursor=page.next_cursor,
        entitlements=[EntitlementRead.of(v) for v in page.items],
    )


@router.post(
    "",
    status_code=201,
    summary="Grant Model Entitlement",
    description="Answers 201 with the new entitlement. Granting a model the workspace already "
    "has is 409; a logical model the org does not have is 404.",
    responses=errors(*AUTHED, 400, 404, 409),
)
async def grant_model_entitlement(
    workspace_id: WorkspaceId,
    body: EntitlementGrant,
    session: SessionDep,
    principal: PrincipalDep,
    cursors: CursorsDep,
) -> EntitlementRead:
    svc = _svc(session, principal, cursors)
    view = await svc.grant(workspace_id, body.logical_model_id, body.rules())
    return EntitlementRead.of(view)


@router.get(
    "/{logical_model_id:path}", summary="Get Model Entitlement", responses=errors(*AUTHED, 404)
)
async def get_model_entitlement(
    workspace_id: WorkspaceId,
    logical_model_id: LogicalModel,
    session: SessionDep,
    principal: PrincipalDep,
    cursors: CursorsDep,
) -> EntitlementRead:
    view = await _svc(session, principal, cursors).get(workspace_id, logical_model_id)
    return EntitlementRead.of(view)


@router.patch(
    "/{logical_model_id:path}", summary="Update Model Entitlement", responses=errors(*AUTHED, 404)
)
async def update_model_entitlement(
    workspace_id: WorkspaceId,
    logical_model_id: LogicalModel,
    body: EntitlementPatch,
    session: SessionDep,
    principal: PrincipalDep,
    cursors: CursorsDep,
) -> EntitlementRead:
    view = await _svc(session, principal, cursors).update(
        workspace_id, logical_model_id, body.rules()
    )
    return EntitlementRead.of(view)


@router.delete(
    "/{logical_model_id:path}",
    status_code=204,
    summary="Revoke Model Entitlement",
    response_class=Response,
    responses=errors(*AUTHED, 404),
)
async def revoke_model_entitlement(
    workspace_id: WorkspaceId,
    logical_model_id: LogicalModel,
    session: SessionDep,
    principal: PrincipalDep,
    cursors: CursorsDep,
) -> Response:
    await _svc(session, principal, cursors).revoke(workspace_id, logical_model_id)
    return Response(status_code=204)
