"""Wire schemas of ``spacegate.api.platform.usage``: pydantic only."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from spacegate.wire.base import Cost, ResponseModel


class UsageTotalsRead(ResponseModel):
    requests: int
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost: Cost = Field(description="In `currency`, from the model's prices.")


class UsageRowRead(UsageTotalsRead):
    day: date | None = Field(description="Local calendar day in `tz` (grouped by `day`).")
    model: str | None = Field(
        description="The model's alias (grouped by `model`); null if the model was deleted."
    )
    model_id: uuid.UUID | None = Field(description="The `tenant_model_id` (grouped by `model`).")
    space_id: uuid.UUID | None = Field(description="Grouped by `space`.")
    api_key_id: uuid.UUID | None = Field(description="Grouped by `api_key`.")


class UsageReportRead(ResponseModel):
    start: datetime
    end: datetime
    tz: str = Field(description="The IANA time zone days were counted in.")
    currency: str = Field(
        default="USD", description="ISO 4217 code of every cost (the models' prices)."
    )
    group_by: list[str]
    data: list[UsageRowRead] = Field(
        description="One row per group, oldest day first, then the biggest users first. "
        "Fields of dimensions not grouped by are null."
    )
    totals: UsageTotalsRead = Field(description="The sums over every row.")
