"""Aimable "space allowed models" (seeds 000 and 001): list, add and remove a space's models.

Served under ``/api-proxy/v1`` (seed 001) and under ``/v1`` (seed 000's path). An allowed model is
an entitlement row, the same one MechaMental's model-entitlements API reads and writes.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import PlainValidator
from pydantic_core import PydanticCustomError

from spacegate.api.deps import CursorsDep, PrincipalDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import IdempotencyRequired, UnitOfWorkRoute
from spacegate.entitlements.service import EntitlementService
from spacegate.wire.aimable.space_models import (
    AllowedModel,
    AllowedModelAdd,
    AllowedModelEnvelope,
    AllowedModelList,
    PageMeta,
)
from spacegate.wire.mechamental.limits import EntitlementRules


def _uuid(value: Any) -> uuid.UUID:
    # Seed 001 documents this exact error item (no ``ctx``, a fixed ``msg``), so it is made here
    # rather than by pydantic's UUID type, whose message carries the parser's details.
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise PydanticCustomError("uuid_parsing", "Input should be a valid UUID") from None


UUIDParam = Annotated[uuid.UUID, PlainValidator(_uuid, json_schema_input_type=uuid.UUID)]
SpaceId = Annotated[UUIDParam, Path(description="The space (UUID).")]
TenantModelId = Annotated[UUIDParam, Path(description="The tenant model (UUID).")]
PageLimit = Annotated[int, Query(ge=1, le=100, description="Page size (1-100).")]
PageCursor = Annotated[
    str | None,
    Query(max_length=512, description="`meta.next_cursor` of the previous page."),
]

TAG = "space-allowed-models"


def _svc(session: SessionDep, principal: PrincipalDep, cursors: CursorsDep) -> EntitlementService:
    return EntitlementService(session, principal, cursors)


def _routes(prefix: str) -> APIRouter:
    router = APIRouter(prefix=prefix, tags=[TAG], route_class=UnitOfWorkRoute)

    @router.get(
        "/{space_id}/models",
        summary="List allowed models in a space",
        responses=errors(*AUTHED, 400, 404),
    )
    async def list_space_models(
        space_id: SpaceId,
        session: SessionDep,
        principal: PrincipalDep,
        cursors: CursorsDep,
        limit: PageLimit = 50,
        cursor: PageCursor = None,
    ) -> AllowedModelList:
        page = await _svc(session, principal, cursors).list_page(
            space_id, limit=limit, cursor=cursor
        )
        return AllowedModelList(
            data=[AllowedModel.of(v) for v in page.items],
            meta=PageMeta(next_cursor=page.next_cursor, has_more=page.has_more),
        )

    @router.post(
        "/{space_id}/models",
        status_code=201,
        summary="Add a model to a space",
        description="Requires `Idempotency-Key`. A model already allowed in the space is 409; "
        "a model the org does not have is 404.",
        dependencies=[IdempotencyRequired],
        responses=errors(*AUTHED, 400, 404, 409),
    )
    async def add_space_model(
        space_id: SpaceId,
        body: AllowedModelAdd,
        session: SessionDep,
        principal: PrincipalDep,
        cursors: CursorsDep,
    ) -> AllowedModelEnvelope:
        view = await _svc(session, principal, cursors).grant(
            space_id,
            body.tenant_model_id,
            EntitlementRules(enabled=body.is_enabled),
            is_default=body.is_default,
        )
        return AllowedModelEnvelope(data=AllowedModel.of(view))

    @router.delete(
        "/{space_id}/models/{tenant_model_id}",
        status_code=204,
        summary="Remove a model from a space",
        response_class=Response,
        responses=errors(*AUTHED, 404),
    )
    async def remove_space_model(
        space_id: SpaceId,
        tenant_model_id: TenantModelId,
        session: SessionDep,
        principal: PrincipalDep,
        cursors: CursorsDep,
    ) -> Response:
        await _svc(session, principal, cursors).revoke(space_id, tenant_model_id)
        return Response(status_code=204)

    return router


router = _routes("/api-proxy/v1/spaces")
#: Seed 000 documents the same routes without the ``/api-proxy`` prefix.
v1_router = _routes("/v1/spaces")
