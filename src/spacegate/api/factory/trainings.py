"""Seed 004 "trainings" (``pageSize`` + ``page``): durable jobs on the factory's executor."""

from __future__ import annotations

from spacegate.factory import training_job as _job  # noqa: F401  (registers the training job)
from spacegate.factory.trainings import TrainingService
from spacegate.resources.router import crud_router
from spacegate.wire.factory.trainings import (
    TrainingCreate,
    TrainingRead,
    TrainingUpdate,
)

router = crud_router(
    TrainingService,
    prefix="/v1/trainings",
    tag="trainings",
    create=TrainingCreate,
    update=TrainingUpdate,
    read=TrainingRead,
)
