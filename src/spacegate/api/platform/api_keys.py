"""API keys: create (the key is shown once), list, get, revoke."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path

from spacegate.api.deps import After, CursorsDep, Limit, PrincipalDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.api_keys.service import ApiKeyService
from spacegate.wire.base import ListResponse
from spacegate.wire.platform.api_keys import ApiKeyCreate, ApiKeyCreated, ApiKeyRead

router = APIRouter(prefix="/v1/api-keys", tags=["api-keys"], route_class=UnitOfWorkRoute)
KeyId = Annotated[uuid.UUID, Path(description="API key ID")]


def _svc(session: SessionDep, principal: PrincipalDep, cursors: CursorsDep) -> ApiKeyService:
    return ApiKeyService(session, principal, cursors)


@router.post(
    "", status_code=201, summary="Create API key", responses=errors(*AUTHED, 400, 404, 409)
)
async def create_key(
    body: ApiKeyCreate, session: SessionDep, principal: PrincipalDep, cursors: CursorsDep
) -> ApiKeyCreated:
    row, plaintext = await _svc(session, principal, cursors).create(
        name=body.name,
        space_id=body.space_id,
        permissions=body.permissions,
        expires_at=body.expires_at,
    )
    read = ApiKeyRead.model_validate(row)
    return ApiKeyCreated(**read.model_dump(), key=plaintext)


@router.get("", summary="List API keys", responses=errors(*AUTHED, 400))
async def list_keys(
    session: SessionDep,
    principal: PrincipalDep,
    cursors: CursorsDep,
    limit: Limit = 10,
    after: After = None,
) -> ListResponse[ApiKeyRead]:
    page = await _svc(session, principal, cursors).list_page(limit=limit, after=after)
    data = [ApiKeyRead.model_validate(k) for k in page.items]
    return ListResponse.of(data, page)


@router.get("/{id}", summary="Get API key", responses=errors(*AUTHED, 404))
async def get_key(
    id: KeyId, session: SessionDep, principal: PrincipalDep, cursors: CursorsDep
) -> ApiKeyRead:
    return ApiKeyRead.model_validate(await _svc(session, principal, cursors).get(id))


@router.delete("/{id}", summary="Revoke API key", responses=errors(*AUTHED, 404))
async def revoke_key(
    id: KeyId, session: SessionDep, principal: PrincipalDep, cursors: CursorsDep
) -> ApiKeyRead:
    return ApiKeyRead.model_validate(await _svc(session, principal, cursors).revoke(id))
