"""Seed 004 "checkpoints" (``limit`` + ``after``), their download, and scoring rows (ours)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response

from spacegate.api.deps import CursorsDep, RuntimeDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.auth.scope import SpaceScopeDep
from spacegate.factory.checkpoints import CheckpointService
from spacegate.resources.router import crud_router
from spacegate.wire.factory.checkpoints import (
    CheckpointFilters,
    CheckpointRead,
    ScoreRequest,
    ScoreResponse,
)

router = APIRouter(prefix="/v1/checkpoints", tags=["checkpoints"], route_class=UnitOfWorkRoute)
CheckpointId = Annotated[uuid.UUID, Path(description="Checkpoint ID")]


def _svc(session: SessionDep, scope: SpaceScopeDep, cursors: CursorsDep) -> CheckpointService:
    return CheckpointService(session, scope, cursors)


Svc = Annotated[CheckpointService, Depends(_svc)]


@router.get(
    "/{id}/download",
    summary="Download checkpoint",
    response_class=Response,
    responses={
        **errors(*AUTHED, 404),
        200: {"content": {"application/octet-stream": {}}, "description": "The joblib file."},
    },
)
async def download_checkpoint(svc: Svc, runtime: RuntimeDep, id: CheckpointId) -> Response:
    checkpoint, blob = await svc.artifact(id, runtime.settings.data_dir)
    return Response(
        blob,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{checkpoint.name}.joblib"',
            "Digest": f"sha-256={checkpoint.sha256}",
        },
    )


@router.post(
    "/{id}/score",
    summary="Score rows with a checkpoint",
    response_model=ScoreResponse,
    responses=errors(*AUTHED, 404),
)
async def score_rows(
    body: ScoreRequest, svc: Svc, runtime: RuntimeDep, id: CheckpointId
) -> dict[str, Any]:
    return await svc.score(id, runtime.settings.data_dir, body.rows)


crud_router(
    CheckpointService,
    prefix="/v1/checkpoints",
    tag="checkpoints",
    create=None,
    update=None,
    read=CheckpointRead,
    filters=CheckpointFilters,
    ops=("list", "get"),
    router=router,
)
