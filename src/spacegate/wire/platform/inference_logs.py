"""Wire schemas of ``spacegate.api.platform.inference_logs``: pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from spacegate.wire.base import Cost, ResponseModel


class InferenceLogRead(ResponseModel):
    id: uuid.UUID
    created_at: datetime
    space_id: uuid.UUID | None
    user_id: uuid.UUID | None
    api_key_id: uuid.UUID | None
    model: str
    model_id: uuid.UUID | None
    upstream_model: str | None
    endpoint: str
    type: str
    purpose: str | None
    step_type: str | None
    status: str = Field(description="`success` or `error`.")
    http_status: int
    stream: bool
    tags: list[str]
    correlation_id: str | None
    request_id: str | None
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    usage_estimated: bool = Field(
        description="True when upstream reported no usage and it was estimated."
    )
    cost: Cost = Field(description="In the page's `currency`.")
    latency_ms: float
    overhead_ms: float = Field(
        description="Time spent in Spacegate itself, excluding the provider."
    )
    error: str | None
    error_code: str | None = Field(
        description="The error's machine code, as in the OpenAI envelope the caller got "
        "(`rate_limit_exceeded`, `model_not_entitled`, `upstream_timeout`...)."
    )
    refused: bool = Field(
        description="Refused by Spacegate itself (entitlement, capability, limit, budget, bad "
        "request): no provider was called and no token was used."
    )
    refused_by: str | None = Field(
        description="Which rule or limit refused it: `entitlement`, `enabled`, `capabilities`, "
        "`allowed_endpoints`, `allowed_purposes`, `allowed_step_types`, "
        "`max_tokens_per_request`, `context_window`, `rpm`, `tpm`, `key-rpm`, `key-tpm`, "
        "`key-concurrency`, `token_budget`, `cost_budget`, `request` (a bad request)..."
    )


class LogPage(ResponseModel):
    """Seed 004's page of logs, addressed by number: ``has_more`` is true exactly when
    ``next_page`` names a page (pass it as ``page``)."""

    count: int = Field(description="Number of items in this page.")
    data: list[InferenceLogRead]
    has_more: bool
    page: int
    page_size: int
    next_page: int | None = Field(description="The next page's number; null on the last page.")
    currency: str = Field(description="ISO 4217 code of every `cost` (the models' prices).")


class ModelUsage(ResponseModel):
    calls: int
    input_tokens: int
    output_tokens: int
    total_tokens: int


class SummaryRead(ResponseModel):
    total_calls: int
    success_rate: float = Field(description="Share of successful calls, from 0 to 1.")
    avg_latency_ms: float
    input_tokens: int
    output_tokens: int
    total_tokens: int
    model_usage: dict[str, ModelUsage] = Field(description="Per model alias.")
    refused_calls: int = Field(
        description="Calls Spacegate refused itself (counted in `total_calls`, never usage)."
    )
    refusals: dict[str, int] = Field(description="Refused calls per error code.")
    period_start_date: datetime | None
    period_end_date: datetime | None
