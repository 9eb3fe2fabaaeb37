"""The audit log: every change made through the API, who made it, and the fields it changed."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query

from spacegate.api.deps import After, CursorsDep, Limit, PrincipalDep, QueryDatetime, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.audit.service import AuditService
from spacegate.wire.base import ListResponse
from spacegate.wire.platform.audit_logs import AuditLogRead

router = APIRouter(prefix="/v1/audit-logs", tags=["audit-logs"], route_class=UnitOfWorkRoute)


@router.get("", summary="List audit log entries (oldest first)", responses=errors(*AUTHED, 400))
async def list_audit_logs(
    session: SessionDep,
    principal: PrincipalDep,
    cursors: CursorsDep,
    resource: str | None = Query(
        default=None, max_length=64, description="e.g. `space`, `api_key`"
    ),
    resource_id: str | None = Query(default=None, max_length=64),
    action: str | None = Query(
        default=None, max_length=32, description="create, update, delete, restore, revoke"
    ),
    actor: uuid.UUID | None = Query(default=None, description="User ID of the actor"),
    space_id: uuid.UUID | None = None,
    start_date: QueryDatetime | None = None,
    end_date: QueryDatetime | None = None,
    limit: Limit = 50,
    after: After = None,
) -> ListResponse[AuditLogRead]:
    page = await AuditService(session, principal, cursors).list_page(
        resource=resource,
        resource_id=resource_id,
        action=action,
        actor_id=actor,
        space_id=space_id,
        start=start_date,
        end=end_date,
        limit=limit,
        after=after,
    )
    data = [AuditLogRead.model_validate(r) for r in page.items]
    return ListResponse.of(data, page)
