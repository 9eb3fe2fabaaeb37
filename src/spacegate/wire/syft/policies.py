"""Wire schemas of ``spacegate.api.syft.policies``: pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from spacegate.wire.base import RequestModel, ResponseModel

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]


TypeName = Literal["access", "rate_limit", "pii_filter"]


class PolicyCreate(RequestModel):
    name: Name
    policy_type: TypeName
    configuration: dict[str, Any] = Field(
        default_factory=dict,
        description="Checked against the type's `config_schema` (`/api/v1/policy-types/`).",
    )
    endpoint_id: uuid.UUID


class PolicyUpdate(RequestModel):
    name: Name | None = None
    configuration: dict[str, Any] | None = Field(
        default=None, description="Merged into the stored configuration, then checked."
    )


class PolicyRead(ResponseModel):
    id: uuid.UUID
    name: str
    policy_type: str
    configuration: dict[str, Any]
    endpoint_id: uuid.UUID
    created_at: datetime
    updated_at: datetime


class PolicyFilters(BaseModel):
    endpoint_id: uuid.UUID | None = None
    policy_type: TypeName | None = None


class PolicyTypeRead(BaseModel):
    name: str
    description: str
    stage: str = Field(description="`pre`: checked before the query; `post`: applied to it.")
    config_schema: dict[str, Any]
    enabled: bool
