"""What an entitlement allows: limits, step types, endpoints and purposes.

These are the documented vocabularies of MechaMental's model entitlements. The gateway enforces
them; here they are only validated, so that nothing unknown is ever stored (a typo in a limit name
must not silently mean "no limit").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    StringConstraints,
    model_serializer,
)

#: MechaMental's step types: the kinds of work an agent step may use the model for.
STEP_TYPES = (
    "inference",
    "tool_call",
    "source_query",
    "source_ingest",
    "memory_update",
    "memory_query",
)
#: The gateway's endpoint names (OpenAI wire routes, dotted like the OpenAI SDK's resources).
ENDPOINTS = ("chat.completions", "completions", "embeddings")
PURPOSE_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"

StepType = Literal[
    "inference", "tool_call", "source_query", "source_ingest", "memory_update", "memory_query"
]
Endpoint = Literal["chat.completions", "completions", "embeddings"]
Purpose = Annotated[
    str,
    StringConstraints(pattern=PURPOSE_PATTERN),
    Field(
        description="A free label the caller declares with its request, e.g. `chat`, "
        "`summarization`, `agent`: lower-case letters, digits and `_ . -`, up to 64 characters.",
        examples=["summarization"],
    ),
]
Period = Literal["day", "week", "month"]

_PERIOD_DOC = (
    "Budget window: `day`, `week` (starting Monday) or `month` (calendar month), on the "
    "calendar of the org's time zone (`timezone` of `PATCH /v1/orgs/{org_id}`, default UTC). "
    "Usage is counted from the start of the current window."
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenBudget(_Strict):
    """At most ``limit`` tokens (prompt + completion) per ``period``."""

    limit: int = Field(ge=1, le=10**15, description="Tokens allowed per period.")
    period: Period = Field(description=_PERIOD_DOC)


Money = Annotated[
    Decimal,
    Field(gt=0, max_digits=18, decimal_places=6),
    PlainSerializer(float, return_type=float, when_used="json"),
]


class CostBudget(_Strict):
    """At most ``limit`` of spend per ``period``, priced with the model's per-million prices."""

    limit: Money = Field(description="Spend allowed per period, in the org's price currency.")
    period: Period = Field(description=_PERIOD_DOC)


class WorkspaceLimits(_Strict):
    """Limits of one space on one model. Every key is optional; an absent key means no limit.

    Unknown keys are refused (422). ``rpm`` and ``tpm`` are rolling one-minute rates (429 when
    exceeded); the budgets are totals per window (a distinct error when exhausted).
    """

    rpm: int | None = Field(default=None, ge=1, le=10**9, description="Requests per minute.")
    tpm: int | None = Field(
        default=None, ge=1, le=10**12, description="Tokens (prompt + completion) per minute."
    )
    max_tokens_per_request: int | None = Field(
        default=None,
        ge=1,
        le=10**9,
        description="Upper bound on a request's `max_tokens` (and on the tokens it may produce).",
    )
    token_budget: TokenBudget | None = Field(default=None, description="Token budget per period.")
    cost_budget: CostBudget | None = Field(default=None, description="Spend budget per period.")

    @model_serializer(mode="wrap")
    def _without_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if v is not None}

    def stored(self) -> dict[str, Any]:
        """The JSON stored on the entitlement row (only the limits that are set)."""
        return self.model_dump(mode="json")


def dedupe(values: Sequence[str]) -> list[str]:
    """Allow-lists are sets with a stable order."""
    return list(dict.fromkeys(values))


@dataclass(frozen=True, slots=True)
class EntitlementRules:
    """What a grant or an update sets; ``None`` fields are left alone (or defaulted on grant)."""

    workspace_limits: WorkspaceLimits | None = None
    allowed_step_types: Sequence[str] | None = None
    allowed_endpoints: Sequence[str] | None = None
    allowed_purposes: Sequence[str] | None = None
    enabled: bool | None = None
