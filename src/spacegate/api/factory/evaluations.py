"""Seed 004 "evaluations": create (seed), and list / get (ours) to read the result."""

from __future__ import annotations

from spacegate.factory.evaluations import EvaluationService
from spacegate.resources.router import crud_router
from spacegate.wire.factory.evaluations import EvaluationCreate, EvaluationFilters, EvaluationRead

router = crud_router(
    EvaluationService,
    prefix="/v1/evaluations",
    tag="evaluations",
    create=EvaluationCreate,
    update=None,
    read=EvaluationRead,
    filters=EvaluationFilters,
    ops=("list", "create", "get"),
)
