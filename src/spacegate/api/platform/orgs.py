"""The caller's own org (MechaMental paths nest under ``/v1/orgs/{org_id}``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path

from spacegate.api.deps import PrincipalDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.errors import Forbidden
from spacegate.orgs.service import OrgService
from spacegate.wire.platform.orgs import OrgRead, OrgUpdate

router = APIRouter(prefix="/v1/orgs", tags=["orgs"], route_class=UnitOfWorkRoute)
OrgId = Annotated[uuid.UUID, Path(description="Org ID")]


@router.get("/{org_id}", summary="Get org", responses=errors(*AUTHED, 404))
async def get_org(org_id: OrgId, session: SessionDep, principal: PrincipalDep) -> OrgRead:
    return OrgRead.model_validate(await OrgService(session, principal).get(org_id))


@router.patch("/{org_id}", summary="Update org", responses=errors(*AUTHED, 404, 409))
async def update_org(
    org_id: OrgId, body: OrgUpdate, session: SessionDep, principal: PrincipalDep
) -> OrgRead:
    svc = OrgService(session, principal)
    await svc.get(org_id)
    if not principal.has("orgs:update") or principal.bound_space_id is not None:
        raise Forbidden("Missing permission 'orgs:update'.", code="permission_denied")
    return OrgRead.model_validate(await svc.update(org_id, name=body.name, timezone=body.timezone))
