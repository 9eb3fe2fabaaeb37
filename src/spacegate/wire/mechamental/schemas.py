"""Wire shapes of MechaMental's model entitlements (seed 002): pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from spacegate.wire.base import RequestModel
from spacegate.wire.mechamental.limits import (
    Endpoint,
    EntitlementRules,
    Purpose,
    StepType,
    WorkspaceLimits,
)

if TYPE_CHECKING:
    from spacegate.entitlements.schemas import EntitlementView

LogicalModelId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200),
    Field(description="The model's alias in the org's registry.", examples=["gpt-4o-mini"]),
]


_STEPS_DOC = (
    "Step types the workspace may use the model for: `inference`, `tool_call`, `source_query`, "
    "`source_ingest`, `memory_update`, `memory_query`. Empty: any."
)


_ENDPOINTS_DOC = (
    "Gateway endpoints the model may be called through: `chat.completions`, `completions`, "
    "`embeddings`. Empty: any."
)


_PURPOSES_DOC = "Purposes callers may declare (free labels such as `chat`, `agent`). Empty: any."


_LIMITS_DOC = (
    "Limits of this workspace on this model: `rpm`, `tpm`, `max_tokens_per_request`, "
    '`token_budget` `{"limit", "period"}` and `cost_budget` `{"limit", "period"}` with `period` '
    "one of `day`, `week`, `month`. Absent keys mean no limit; unknown keys are refused (422)."
)


class EntitlementRead(BaseModel):
    entitlement_id: uuid.UUID
    workspace_id: uuid.UUID
    org_id: uuid.UUID
    logical_model_id: str
    workspace_limits: WorkspaceLimits = Field(description=_LIMITS_DOC)
    allowed_step_types: list[str] = Field(description=_STEPS_DOC)
    allowed_endpoints: list[str] = Field(description=_ENDPOINTS_DOC)
    allowed_purposes: list[str] = Field(description=_PURPOSES_DOC)
    enabled: bool
    request_count: int = Field(description="Requests served through this entitlement.")
    total_tokens: int = Field(description="Tokens (prompt + completion) served through it.")
    last_used_at: datetime | None
    granted_by: uuid.UUID | None = Field(description="The user who granted the entitlement.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: EntitlementView) -> EntitlementRead:
        ent = view.entitlement
        return cls(
            entitlement_id=ent.id,
            workspace_id=ent.space_id,
            org_id=ent.org_id,
            logical_model_id=view.model.alias,
            workspace_limits=WorkspaceLimits.model_validate(ent.workspace_limits or {}),
            allowed_step_types=list(ent.allowed_step_types),
            allowed_endpoints=list(ent.allowed_endpoints),
            allowed_purposes=list(ent.allowed_purposes),
            enabled=ent.enabled,
            request_count=ent.request_count,
            total_tokens=ent.total_tokens,
            last_used_at=ent.last_used_at,
            granted_by=ent.granted_by,
            created_at=ent.created_at,
            updated_at=ent.updated_at,
        )


class EntitlementList(BaseModel):
    total: int = Field(description="Entitlements matching the filter in the workspace.")
    has_more: bool
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")
    entitlements: list[EntitlementRead]


class _Rules(RequestModel):
    workspace_limits: WorkspaceLimits | None = Field(default=None, description=_LIMITS_DOC)
    allowed_step_types: list[StepType] | None = Field(
        default=None, max_length=16, description=_STEPS_DOC
    )
    allowed_endpoints: list[Endpoint] | None = Field(
        default=None, max_length=16, description=_ENDPOINTS_DOC
    )
    allowed_purposes: list[Purpose] | None = Field(
        default=None, max_length=64, description=_PURPOSES_DOC
    )
    enabled: bool | None = None

    def rules(self) -> EntitlementRules:
        return EntitlementRules(
            workspace_limits=self.workspace_limits,
            allowed_step_types=self.allowed_step_types,
            allowed_endpoints=self.allowed_endpoints,
            allowed_purposes=self.allowed_purposes,
            enabled=self.enabled,
        )

    @model_validator(mode="after")
    def _no_nulls(self) -> _Rules:
        # Omitting a field keeps (or defaults) it; an explicit null would be ambiguous.
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null; send [] or {{}} to clear it")
        return self


class EntitlementGrant(_Rules):
    """Grant a model to the workspace. Omitted fields default to no limits, any use, enabled."""

    logical_model_id: LogicalModelId


class EntitlementPatch(_Rules):
    """Only the fields present change; lists and limits are replaced as a whole."""
