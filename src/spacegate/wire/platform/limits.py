"""Wire schemas of ``spacegate.api.platform.limits``: pydantic only."""

from __future__ import annotations

import uuid

from pydantic import Field

from spacegate.wire.base import RequestModel, ResponseModel


class WindowRead(ResponseModel):
    limit: int = Field(description="Requests allowed per window.")
    window_seconds: int


class OrgRateLimitRead(ResponseModel):
    rate_limit: str = Field(
        description="Requests per org on the API, e.g. `1000/hour,100/minute`; `off`: none.",
        examples=["1000/hour,100/minute"],
    )
    is_default: bool = Field(description="True when the server default applies.")
    windows: list[WindowRead]


class OrgRateLimitUpdate(RequestModel):
    rate_limit: str | None = Field(
        max_length=200,
        description="`1000/hour,100/minute` (any windows: second, minute, hour, day, e.g. "
        "`500/5minutes`; at most 1,000,000,000 per window, windows up to 366 days), `off` for "
        "none, or null to return to the server default. This route is never refused by the org "
        "limit, so a limit set too low can always be lifted.",
    )


class KeyLimits(RequestModel):
    rpm: int | None = Field(default=None, ge=1, le=10**9, description="Requests per minute.")
    tpm: int | None = Field(default=None, ge=1, le=10**12, description="Tokens per minute.")
    max_concurrency: int | None = Field(
        default=None, ge=1, le=10**6, description="Gateway calls in flight at once."
    )


class KeyLimitsRead(KeyLimits):
    #: Two schemas share this name, so the OpenAPI document names each after its module; kept
    #: as published (``spacegate__api__platform__limits__KeyLimitsRead``). Set in the body, it
    #: is what the schema's reference is built from; its annotations are then resolved by the
    #: rebuild below.
    __module__ = "spacegate.api.platform.limits"

    id: uuid.UUID


KeyLimitsRead.model_rebuild()  # resolves its annotations in this module, not in its ``__module__``
