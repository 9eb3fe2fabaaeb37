"""Seed 004 "data-models", with what a training needs: the target, the features, the task."""

from __future__ import annotations

from pydantic import Field

from spacegate.factory.data_models import DataModelService
from spacegate.resources.router import crud_router
from spacegate.wire.factory.data_models import DataModelCreate, DataModelRead, DataModelUpdate

Column = Field(min_length=1, max_length=255)


router = crud_router(
    DataModelService,
    prefix="/v1/data-models",
    tag="data-models",
    create=DataModelCreate,
    update=DataModelUpdate,
    read=DataModelRead,
)
