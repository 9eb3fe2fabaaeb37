"""Wire schemas of ``spacegate.api.copilot.arguments``: pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field

from spacegate.wire.base import RequestModel, ResponseModel
from spacegate.wire.copilot.experts import NoNul

ReviewStatus = Literal["pending", "waiting_review", "reviewing", "success", "failed"]


_FREE = "An object of any fields (seed 004 leaves its shape open)."


class ReviewChange(NoNul):
    """``model.ArgumentReview``: where the review goes, by whom, with what comments."""

    status: ReviewStatus | None = Field(
        default=None,
        description="pending -> waiting_review -> reviewing -> success | failed (also "
        "reviewing -> waiting_review, failed -> pending).",
    )
    reviewer: str | None = Field(default=None, max_length=200)
    comments: str | None = Field(default=None, max_length=20_000)


class ArgumentCreate(RequestModel):
    action_id: uuid.UUID = Field(description="An action of the space.")
    client: dict[str, Any] = Field(
        description='The client\'s data, or `{"persona_id": ...}` naming a persona of the space.'
    )
    product: dict[str, Any] = Field(description="`model.ProductSpec`. " + _FREE)
    insight_spec: dict[str, Any] = Field(description="`model.InsightSpec`. " + _FREE)
    model: str = Field(min_length=1, max_length=200, description="A model allowed in the space.")
    echo: bool = Field(default=False, description="Also answer the messages sent to the model.")
    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)


class ArgumentUpdate(RequestModel):
    action_id: uuid.UUID | None = None
    argument: str | None = Field(default=None, max_length=100_000)
    argument_thinking: str | None = Field(default=None, max_length=100_000)
    client: dict[str, Any] | None = None
    insight_spec: dict[str, Any] | None = None
    product: dict[str, Any] | None = None
    review: ReviewChange | None = None


class ArgumentRead(ResponseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    object_id: str = Field(alias="_id", description="The same as `id`.")
    id: uuid.UUID
    space: uuid.UUID
    action_id: uuid.UUID
    argument: str
    argument_thinking: str
    client: dict[str, Any]
    product: dict[str, Any]
    insight_spec: dict[str, Any]
    model: str | None
    duration: float = Field(description="Seconds the generation took.")
    error: str | None = Field(description="Why the model's answer could not be used.")
    review: dict[str, Any] = Field(
        description="`{status, reviewer, comments, reviewed_by, updated_at, history[]}`."
    )
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    messages: list[dict[str, Any]] | None = Field(default=None, description="With `echo`.")
