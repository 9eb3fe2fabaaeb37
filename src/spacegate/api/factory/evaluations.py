"""Seed 004 "evaluations": create (seed), list / get (ours) to read the result, and the
evaluated checkpoint's ROC curve (ours)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from spacegate.api.deps import CursorsDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.auth.scope import SpaceScopeDep
from spacegate.factory.evaluations import EvaluationService
from spacegate.resources.router import crud_router
from spacegate.wire.factory.evaluations import (
    EvaluationCreate,
    EvaluationFilters,
    EvaluationRead,
    RocCurve,
)

router = APIRouter(prefix="/v1/evaluations", tags=["evaluations"], route_class=UnitOfWorkRoute)


def _svc(session: SessionDep, scope: SpaceScopeDep, cursors: CursorsDep) -> EvaluationService:
    return EvaluationService(session, scope, cursors)


@router.get(
    "/{id}/roc",
    summary="ROC curve of an evaluation",
    response_model=RocCurve,
    responses=errors(*AUTHED, 404),
)
async def evaluation_roc(
    svc: Annotated[EvaluationService, Depends(_svc)],
    id: Annotated[uuid.UUID, Path(description="Evaluation ID")],
) -> dict[str, Any]:
    """The checkpoint's ROC curve on the benchmark's rows, computed with the evaluation's
    result. 404 (``roc_not_found``) while the evaluation has not computed it, or when the
    benchmark's rows hold one class only."""
    return await svc.roc(id)


crud_router(
    EvaluationService,
    prefix="/v1/evaluations",
    tag="evaluations",
    create=EvaluationCreate,
    update=None,
    read=EvaluationRead,
    filters=EvaluationFilters,
    ops=("list", "create", "get"),
    router=router,
)
