"""Wire schemas of Syft endpoints (``/api/v1/endpoints``): pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictBool, StringConstraints

from spacegate.wire.base import RequestModel, ResponseModel

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]


Slug = Annotated[
    str,
    StringConstraints(min_length=3, max_length=64, pattern=SLUG_PATTERN),
    Field(description="3-64 lowercase letters and digits, single hyphens between them."),
]


Text = Annotated[str, StringConstraints(max_length=10_000)]


Tags = Annotated[str, StringConstraints(max_length=1000)]


ResponseType = Literal["raw", "summary", "both"]


class EndpointCreate(RequestModel):
    name: Name
    slug: Slug
    description: Text = ""
    summary: Text = ""
    dataset_id: uuid.UUID | None = None
    model_id: uuid.UUID | None = None
    response_type: ResponseType = Field(
        default="both",
        description="`raw`: the dataset's search only; `summary`: the model only; `both`: the "
        "model answers from the top references, citing their ids.",
    )
    published: StrictBool = False
    tags: Tags = ""


class EndpointUpdate(RequestModel):
    name: Name | None = None
    slug: Slug | None = None
    description: Text | None = None
    summary: Text | None = None
    dataset_id: uuid.UUID | None = None
    model_id: uuid.UUID | None = None
    response_type: ResponseType | None = None
    published: StrictBool | None = None
    tags: Tags | None = None


class ModelRef(BaseModel):
    id: uuid.UUID
    name: str
    dtype: str


class PolicyRef(BaseModel):
    id: uuid.UUID
    name: str
    policy_type: str
    configuration: dict[str, Any]


class EndpointRead(ResponseModel):
    id: uuid.UUID
    name: str
    slug: str
    description: str
    summary: str
    tags: str
    dataset_id: uuid.UUID | None
    model_id: uuid.UUID | None
    response_type: str
    published: bool
    published_at: datetime | None
    url: str = Field(description="Where to query it (the org's public URL when set).")
    model: ModelRef | None
    policies: list[PolicyRef]
    created_at: datetime
    updated_at: datetime


class EndpointFilters(BaseModel):
    published: bool | None = None


class CatalogueItem(BaseModel):
    id: uuid.UUID
    name: str
    slug: str
    summary: str
    description: str
    tags: str
    response_type: str
    space_id: uuid.UUID
    space_name: str
    published_at: datetime | None
    url: str


class CataloguePage(BaseModel):
    items: list[CatalogueItem]
    total: int
    skip: int
    limit: int
