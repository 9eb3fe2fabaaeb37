"""Wire schemas of ``spacegate.api.copilot.insights``: pydantic only."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field

from spacegate.wire.base import RequestModel


class InsightCreate(RequestModel):
    actions: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=50,
        description="The actions to choose among (all active); none: the space's active ones.",
    )
    client: str | None = Field(
        default=None,
        max_length=100_000,
        description="A persona id of the space, or the client's data as text.",
    )
    model: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Default: the first action's model_id, else the space's default model.",
    )
    echo: bool = Field(default=False, description="Also answer the messages sent to the model.")
    max_tokens: int | None = Field(default=None, ge=1, le=1_000_000)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)


class InsightRead(BaseModel):
    id: str
    actions: str = Field(description="The id of the chosen action.")
    insight: str
    thinking: str
    argument: str
    argument_content: str
    argument_thinking: str
    best_channel: str = Field(description="One of the chosen action's channels.")
    best_time: str
    timeliness: str
    type: str = Field(description="The chosen action's type.")
    model: str | None
    finish_reason: str | None
    usage: dict[str, int]
    elapsed_time_in_seconds: float
    error: str | None
    messages: list[dict[str, Any]] | None = Field(default=None, description="With `echo`.")
