"""Wire schemas of ``spacegate.api.platform.me``: pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from spacegate.wire.base import Cost, ResponseModel


class RateRead(ResponseModel):
    limit: int = Field(description="Allowed per minute.")
    used: int = Field(description="Taken in the last minute (the bucket refills continuously).")
    left: int
    resets_at: datetime = Field(description="When the full limit is available again.")


class BudgetRead(ResponseModel):
    limit: Cost
    period: str = Field(description="`day`, `week` or `month`, on the org's calendar.")
    used: Cost = Field(description="Used in the current window (from the usage ledger).")
    left: Cost
    window_start: datetime
    resets_at: datetime = Field(description="End of the current window.")


class ModelUsageRead(ResponseModel):
    model: str = Field(description="The model's alias (what to send as `model`).")
    tenant_model_id: uuid.UUID
    is_default: bool
    allowed_endpoints: list[str]
    allowed_purposes: list[str]
    allowed_step_types: list[str]
    limits: dict[str, Any] = Field(description="The entitlement's `workspace_limits`.")
    rates: dict[str, RateRead] = Field(description="`rpm` / `tpm`, when set.")
    budgets: dict[str, BudgetRead] = Field(description="`token_budget` / `cost_budget`, when set.")


class KeyLimitsRead(ResponseModel):
    #: Two schemas share this name, so the OpenAPI document names each after its module; kept
    #: as published (``spacegate__api__platform__me__KeyLimitsRead``). Set in the body, it is what
    #: the schema's reference is built from; its annotations are then resolved by the rebuild below.
    __module__ = "spacegate.api.platform.me"

    id: uuid.UUID
    rates: dict[str, RateRead]
    max_concurrency: int | None


KeyLimitsRead.model_rebuild()  # resolves its annotations in this module, not in its ``__module__``


class MyEntitlements(ResponseModel):
    space_id: uuid.UUID
    api_key: KeyLimitsRead
    count: int
    data: list[ModelUsageRead]
    has_more: bool = False
