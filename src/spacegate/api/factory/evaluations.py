"""Seed 004 "evaluations": create (seed), list / get (ours) to read the result, and the
evaluated checkpoint's ROC curve (ours)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from spacegate.api.deps import CursorsDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.api.schemas import RequestModel, ResponseModel
from spacegate.auth.scope import SpaceScopeDep
from spacegate.factory.evaluations import EvaluationService
from spacegate.resources.router import crud_router


class EvaluationCreate(RequestModel):
    benchmark_id: uuid.UUID
    checkpoint_id: uuid.UUID
    gpu_count: int = Field(ge=0, le=1024)


class EvaluationFilters(BaseModel):
    benchmark_id: uuid.UUID | None = None
    checkpoint_id: uuid.UUID | None = None


class EvaluationRead(ResponseModel):
    id: uuid.UUID
    benchmark_id: uuid.UUID
    checkpoint_id: uuid.UUID
    gpu_count: int
    status: str
    result: dict[str, Any] = Field(description="Every metric of the benchmark: its value.")
    error: str | None
    job_id: uuid.UUID | None
    created_at: datetime
    created_by: uuid.UUID | None
    updated_at: datetime
    updated_by: uuid.UUID | None


class RocPoint(BaseModel):
    fpr: float = Field(description="False positive rate at this threshold.")
    tpr: float = Field(description="True positive rate at this threshold.")
    threshold: float | None = Field(
        description="Scores at or above it are called positive; null on the first point "
        "(above every score: nothing is positive)."
    )


class RocCurve(BaseModel):
    evaluation_id: uuid.UUID
    checkpoint_id: uuid.UUID
    benchmark_id: uuid.UUID
    auc: float = Field(description="The exact area under the curve (the result's roc_auc).")
    points: list[RocPoint] = Field(
        description="At most 200 points of the curve, from (0, 0) to (1, 1)."
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
