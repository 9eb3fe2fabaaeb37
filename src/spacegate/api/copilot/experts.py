"""Seed 004 "experts"."""

from __future__ import annotations

from spacegate.copilot.experts import ExpertService
from spacegate.resources.router import crud_router
from spacegate.wire.copilot.experts import (
    ExpertCreate,
    ExpertRead,
    ExpertUpdate,
)

router = crud_router(
    ExpertService,
    prefix="/v1/experts",
    tag="experts",
    create=ExpertCreate,
    update=ExpertUpdate,
    read=ExpertRead,
)
