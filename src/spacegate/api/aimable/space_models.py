"""Aimable "space allowed models" (seeds 000 and 001): list, add and remove a space's models.

Served under ``/api-proxy/v1`` (seed 001) and under ``/v1`` (seed 000's path). An allowed model is
an entitlement row, the same one MechaMental's model-entitlements API reads and writes.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import AliasChoices, BaseModel, Field, PlainValidator
from pydantic_core import PydanticCustomError

from spacegate.api.deps import CursorsDep, PrincipalDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import IdempotencyRequired, UnitOfWorkRoute
from spacegate.entitlements.schemas import EntitlementRules, EntitlementView
from spacegate.entitlements.service import EntitlementService
from spacegate.wire.base import RequestModel


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


class Reasoning(BaseModel):
    enabled: bool


class AllowedModel(BaseModel):
    tenant_model_id: uuid.UUID
    alias: str
    is_enabled: bool = Field(description="Whether the space may use the model right now.")
    is_default: bool = Field(description="The space's default model (at most one per space).")
    context_window: int | None
    capabilities: list[str]
    reasoning: Reasoning
    logo_url: str | None
    logo_url_dark: str | None
    added_at: datetime

    @classmethod
    def of(cls, view: EntitlementView) -> AllowedModel:
        ent, model = view.entitlement, view.model
        return cls(
            tenant_model_id=model.id,
            alias=model.alias,
            is_enabled=ent.enabled,
            is_default=ent.is_default,
            context_window=model.context_window,
            capabilities=list(model.capabilities or []),
            reasoning=Reasoning(enabled=bool((model.reasoning or {}).get("enabled", False))),
            logo_url=model.logo_url,
            logo_url_dark=model.logo_url_dark,
            added_at=ent.created_at,
        )


class PageMeta(BaseModel):
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
    has_more: bool


class AllowedModelList(BaseModel):
    data: list[AllowedModel]
    meta: PageMeta


class AllowedModelEnvelope(BaseModel):
    data: AllowedModel


class AllowedModelAdd(RequestModel):
    tenant_model_id: uuid.UUID = Field(
        validation_alias=AliasChoices("tenant_model_id", "model_id"),
        description="The tenant model to allow. `model_id` (seed 000's name) is accepted too.",
    )
    is_enabled: bool = Field(default=True, description="Add it disabled with `false`.")
    is_default: bool = Field(
        default=False, description="Also make it the space's default model (replacing the old)."
    )


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
