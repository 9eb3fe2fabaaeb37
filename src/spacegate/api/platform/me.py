"""``GET /v1/me/entitlements``: what the caller may still use in its space, and when it resets."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request

from spacegate.api.deps import CursorsDep, PrincipalDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.errors import BadRequest, Forbidden
from spacegate.limits.report import BudgetUsage, RateUsage, UsageReport
from spacegate.limits.service import LimitService
from spacegate.wire.platform.me import (
    BudgetRead,
    KeyLimitsRead,
    ModelUsageRead,
    MyEntitlements,
    RateRead,
)

router = APIRouter(prefix="/v1/me", tags=["me"], route_class=UnitOfWorkRoute)


def _rate(r: RateUsage) -> RateRead:
    return RateRead(limit=r.limit, used=r.used, left=r.left, resets_at=r.resets_at)


def _budget(b: BudgetUsage) -> BudgetRead:
    return BudgetRead.model_validate(b, from_attributes=True)


@router.get(
    "/entitlements",
    summary="My entitlements, limits and what is left",
    responses=errors(*AUTHED, 400, 404),
)
async def my_entitlements(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    cursors: CursorsDep,
    x_space_id: Annotated[
        str | None,
        Header(description="The space; optional for a key bound to a space."),
    ] = None,
) -> MyEntitlements:
    space_id = principal.bound_space_id
    if x_space_id is not None:
        try:
            wanted = uuid.UUID(x_space_id.strip())
        except ValueError:
            raise BadRequest("X-Space-Id must be a space UUID.", code="invalid_space_id") from None
        if space_id is not None and wanted != space_id:
            raise Forbidden("This API key is bound to another space.", code="space_mismatch")
        space_id = wanted
    if space_id is None:
        raise BadRequest(
            "Which space? Send the X-Space-Id header, or use an API key bound to a space.",
            code="space_required",
        )
    limits: LimitService = request.app.state.limits
    report = UsageReport(session, principal, cursors, limits)
    models = await report.models(space_id)
    key = await report.key()
    data = [
        ModelUsageRead(
            model=m.view.model.alias,
            tenant_model_id=m.view.model.id,
            is_default=m.view.entitlement.is_default,
            allowed_endpoints=list(m.view.entitlement.allowed_endpoints or ()),
            allowed_purposes=list(m.view.entitlement.allowed_purposes or ()),
            allowed_step_types=list(m.view.entitlement.allowed_step_types or ()),
            limits=m.limits,
            rates={k: _rate(v) for k, v in m.rates.items()},
            budgets={k: _budget(v) for k, v in m.budgets.items()},
        )
        for m in models
    ]
    return MyEntitlements(
        space_id=space_id,
        api_key=KeyLimitsRead(
            id=principal.api_key_id,
            rates={k: _rate(v) for k, v in key.rates.items()},
            max_concurrency=key.max_concurrency,
        ),
        count=len(data),
        data=data,
    )
