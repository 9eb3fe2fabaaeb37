"""Usage aggregates from the durable usage ledger: requests, tokens and cost, grouped."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from spacegate.api.deps import CursorsDep, PrincipalDep, QueryDatetime, RuntimeDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.usage.service import DIMENSIONS, MAX_DAYS, UsageQuery, UsageService
from spacegate.wire.platform.usage import UsageReportRead

router = APIRouter(prefix="/v1/usage", tags=["usage"], route_class=UnitOfWorkRoute)


_GROUP_BY = (
    f"Comma-separated dimensions: {', '.join(DIMENSIONS)} (e.g. `day,model`). "
    "None: one row with the totals."
)


@router.get(
    "",
    summary="Usage aggregates",
    description=(
        "Sums over the usage ledger of the caller's org (for a member: the spaces where they "
        "may read usage). The ledger is kept per quarter hour; a quarter hour counts when it "
        "starts within `[start, end)`. Deleting inference logs does not change it. "
        f"The period spans at most {MAX_DAYS} days."
    ),
    responses=errors(*AUTHED),
)
async def usage_report(
    runtime: RuntimeDep,
    session: SessionDep,
    principal: PrincipalDep,
    cursors: CursorsDep,
    start: Annotated[
        QueryDatetime | None,
        Query(description="RFC 3339. Default: local midnight 29 days before `end`'s day."),
    ] = None,
    end: Annotated[QueryDatetime | None, Query(description="RFC 3339. Default: now.")] = None,
    group_by: Annotated[str | None, Query(max_length=100, description=_GROUP_BY)] = None,
    space_id: Annotated[uuid.UUID | None, Query(description="Only this space.")] = None,
    model: Annotated[
        str | None, Query(max_length=200, description="Only this model (alias or id).")
    ] = None,
    api_key_id: Annotated[uuid.UUID | None, Query(description="Only this API key.")] = None,
    tz: Annotated[
        str | None,
        Query(
            max_length=64,
            description="IANA time zone for day boundaries. Default: the org's time zone.",
        ),
    ] = None,
) -> UsageReportRead:
    query = UsageQuery(
        start=start,
        end=end,
        group_by=(group_by or "").split(","),
        space_id=space_id,
        model=model,
        api_key_id=api_key_id,
        tz=tz,
    )
    report = await UsageService(session, principal, cursors).report(query)
    return UsageReportRead.model_validate(report).model_copy(
        update={"currency": runtime.settings.currency}
    )
