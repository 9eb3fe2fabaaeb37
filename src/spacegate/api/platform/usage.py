"""Usage aggregates from the durable usage ledger: requests, tokens and cost, grouped."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from spacegate.api.deps import CursorsDep, PrincipalDep, QueryDatetime, RuntimeDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.usage.service import DIMENSIONS, MAX_DAYS, UsageQuery, UsageService
from spacegate.wire.base import Cost, ResponseModel

router = APIRouter(prefix="/v1/usage", tags=["usage"], route_class=UnitOfWorkRoute)


class UsageTotalsRead(ResponseModel):
    requests: int
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost: Cost = Field(description="In `currency`, from the model's prices.")


class UsageRowRead(UsageTotalsRead):
    day: date | None = Field(description="Local calendar day in `tz` (grouped by `day`).")
    model: str | None = Field(
        description="The model's alias (grouped by `model`); null if the model was deleted."
    )
    model_id: uuid.UUID | None = Field(description="The `tenant_model_id` (grouped by `model`).")
    space_id: uuid.UUID | None = Field(description="Grouped by `space`.")
    api_key_id: uuid.UUID | None = Field(description="Grouped by `api_key`.")


class UsageReportRead(ResponseModel):
    start: datetime
    end: datetime
    tz: str = Field(description="The IANA time zone days were counted in.")
    currency: str = Field(
        default="USD", description="ISO 4217 code of every cost (the models' prices)."
    )
    group_by: list[str]
    data: list[UsageRowRead] = Field(
        description="One row per group, oldest day first, then the biggest users first. "
        "Fields of dimensions not grouped by are null."
    )
    totals: UsageTotalsRead = Field(description="The sums over every row.")


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
