"""Aimable space model policy: the space's default model and whether callers may pick another.

``mode`` is ``fixed`` (every request uses the default model) or ``dynamic`` (callers name a model
the space allows; the default serves requests that name none).
"""

from __future__ import annotations

from fastapi import APIRouter

from spacegate.api.aimable.space_models import SpaceId
from spacegate.api.deps import CursorsDep, PrincipalDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.entitlements.service import EntitlementService
from spacegate.wire.aimable.model_policy import ModelPolicyRead, ModelPolicyUpdate

router = APIRouter(
    prefix="/api-proxy/v1/spaces", tags=["space-model-policy"], route_class=UnitOfWorkRoute
)


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
