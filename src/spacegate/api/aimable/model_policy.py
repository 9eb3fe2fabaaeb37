"""Aimable space model policy: the space's default model and whether callers may pick another.

``mode`` is ``fixed`` (every request uses the default model) or ``dynamic`` (callers name a model
the space allows; the default serves requests that name none).
"""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field, model_validator

from spacegate.api.aimable.space_models import SpaceId
from spacegate.api.deps import CursorsDep, PrincipalDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.entitlements.schemas import ModelPolicy
from spacegate.entitlements.service import EntitlementService
from spacegate.wire.base import RequestModel

router = APIRouter(
    prefix="/api-proxy/v1/spaces", tags=["space-model-policy"], route_class=UnitOfWorkRoute
)

Mode = Literal["fixed", "dynamic"]


class ModelPolicyRead(BaseModel):
    default_model_id: uuid.UUID | None = Field(description="`tenant_model_id` of the default.")
    default_model_alias: str | None
    mode: Mode

    @classmethod
    def of(cls, policy: ModelPolicy) -> ModelPolicyRead:
        model = policy.default.model if policy.default else None
        return cls(
            default_model_id=model.id if model else None,
            default_model_alias=model.alias if model else None,
            mode=policy.mode,
        )


class ModelPolicyUpdate(RequestModel):
    """Fields left out are unchanged. ``default_model_id: null`` leaves the space without one."""

    default_model_id: uuid.UUID | None = Field(
        default=None, description="A model allowed (and enabled) in the space; null clears it."
    )
    default_model_alias: str | None = Field(
        default=None, max_length=200, description="The default model named by its alias instead."
    )
    mode: Mode | None = None

    @model_validator(mode="after")
    def _one_way_to_name_the_default(self) -> ModelPolicyUpdate:
        if {"default_model_id", "default_model_alias"} <= self.model_fields_set:
            raise ValueError("give default_model_id or default_model_alias, not both")
        if "mode" in self.model_fields_set and self.mode is None:
            raise ValueError("mode cannot be null")
        return self


def _svc(session: SessionDep, principal: PrincipalDep, cursors: CursorsDep) -> EntitlementService:
    return EntitlementService(session, principal, cursors)


@router.get(
    "/{space_id}/model-policy",
    summary="Get the space's model policy",
    responses=errors(*AUTHED, 404),
)
async def get_model_policy(
    space_id: SpaceId, session: SessionDep, principal: PrincipalDep, cursors: CursorsDep
) -> ModelPolicyRead:
    return ModelPolicyRead.of(await _svc(session, principal, cursors).policy(space_id))


@router.put(
    "/{space_id}/model-policy",
    summary="Set the space's model policy",
    description="Setting a new default unsets the previous one in the same transaction. "
    "`fixed` mode needs a default model (422 otherwise).",
    responses=errors(*AUTHED, 404),
)
async def put_model_policy(
    space_id: SpaceId,
    body: ModelPolicyUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    cursors: CursorsDep,
) -> ModelPolicyRead:
    fields = body.model_fields_set
    policy = await _svc(session, principal, cursors).set_policy(
        space_id,
        mode=body.mode,
        default_model=body.default_model_id or body.default_model_alias,
        clear_default=(
            ("default_model_id" in fields and body.default_model_id is None)
            or ("default_model_alias" in fields and body.default_model_alias is None)
        ),
    )
    return ModelPolicyRead.of(policy)
