"""Seed 004 "inference-logs": one row per gateway call, filtered and paged, and their summary."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request

from spacegate.api.deps import PrincipalDep, QueryDatetime, RuntimeDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.errors import BadRequest
from spacegate.inference_logs.service import InferenceLogService, LogFilters
from spacegate.wire.platform.inference_logs import (
    InferenceLogRead,
    LogPage,
    SummaryRead,
)

router = APIRouter(
    prefix="/v1/inference-logs", tags=["inference-logs"], route_class=UnitOfWorkRoute
)


#: Paging parameters of other lists, refused here rather than ignored (a client would loop).
_NOT_HERE = {
    "after": "This list pages by number: pass `page` (and `page_size`), not `after`.",
    "cursor": "This list pages by number: pass `page` (and `page_size`), not `cursor`.",
}


def _filters(
    start_date: Annotated[
        QueryDatetime | None, Query(description="RFC 3339, e.g. 2006-01-02T15:04:05Z")
    ] = None,
    end_date: Annotated[
        QueryDatetime | None, Query(description="RFC 3339, e.g. 2006-01-02T15:04:05Z")
    ] = None,
    user: Annotated[uuid.UUID | None, Query(description="User ID filter")] = None,
    model: Annotated[
        str | None, Query(max_length=200, description="Model name (alias) filter")
    ] = None,
    type: Annotated[str | None, Query(max_length=64, description="Request type filter")] = None,
    correlation_id: Annotated[
        str | None, Query(max_length=128, description="Correlation ID filter")
    ] = None,
    space_id: Annotated[uuid.UUID | None, Query(description="Space filter")] = None,
    api_key_id: Annotated[
        uuid.UUID | None,
        Query(description="API key filter: calls made with this key (of the caller's org)"),
    ] = None,
    refused: Annotated[
        bool | None,
        Query(
            description="true: only calls Spacegate refused (no provider called); false: only "
            "calls that reached a provider"
        ),
    ] = None,
    error_code: Annotated[
        str | None,
        Query(max_length=64, description="Error code filter, e.g. rate_limit_exceeded"),
    ] = None,
) -> LogFilters:
    return LogFilters(
        start_date=start_date,
        end_date=end_date,
        user=user,
        model=model,
        type=type,
        correlation_id=correlation_id,
        space_id=space_id,
        api_key_id=api_key_id,
        refused=refused,
        error_code=error_code,
    )


FiltersDep = Annotated[LogFilters, Depends(_filters)]


@router.get("", summary="Get inference logs", responses=errors(400, *AUTHED))
async def list_inference_logs(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    principal: PrincipalDep,
    filters: FiltersDep,
    status: Annotated[
        Literal["success", "error"] | None, Query(description="Status filter")
    ] = None,
    tag: Annotated[str | None, Query(max_length=64, description="Tag filter")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number (default: 1)")] = 1,
    page_size: Annotated[
        int | None, Query(ge=1, le=100, description="Page size (default: 20)")
    ] = None,
    limit: Annotated[
        int | None,
        Query(ge=1, le=100, description="Another name for `page_size`, as other lists call it."),
    ] = None,
) -> LogPage:
    for name, message in _NOT_HERE.items():
        if name in request.query_params:
            raise BadRequest(message, code="invalid_paging")
    if limit is not None and page_size is not None and limit != page_size:
        raise BadRequest(
            "`limit` and `page_size` name the same thing: pass one of them.", code="invalid_paging"
        )
    size = page_size or limit or 20
    filters.status = status
    filters.tag = tag
    rows, has_more = await InferenceLogService(session, principal).page(
        filters, page=page, page_size=size
    )
    data = [InferenceLogRead.model_validate(r) for r in rows]
    return LogPage(
        count=len(data),
        data=data,
        has_more=has_more,
        page=page,
        page_size=size,
        next_page=page + 1 if has_more else None,
        currency=runtime.settings.currency,
    )


@router.get("/summary", summary="Get inference logs summary", responses=errors(*AUTHED))
async def summary(session: SessionDep, principal: PrincipalDep, filters: FiltersDep) -> SummaryRead:
    result = await InferenceLogService(session, principal).summary(filters)
    return SummaryRead.model_validate(result)
