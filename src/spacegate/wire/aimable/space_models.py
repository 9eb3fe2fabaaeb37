"""Wire schemas of ``spacegate.api.aimable.space_models``: pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import AliasChoices, BaseModel, Field

from spacegate.wire.base import RequestModel

if TYPE_CHECKING:
    from spacegate.entitlements.schemas import EntitlementView


class Reasoning(BaseModel):
    enabled: bool


class AllowedModel(BaseModel):
    tenant_model_id: uuid.UUID
    alias: str
    is_enabled: bool = Field(description="Whether the space may use the model right now.")
    is_default: bool = Field(description="The space's default model (at most one per space).")
    context_window: int | None
    capabilities: list[str]
    reasoning: Reasoning
    logo_url: str | None
    logo_url_dark: str | None
    added_at: datetime

    @classmethod
    def of(cls, view: EntitlementView) -> AllowedModel:
        ent, model = view.entitlement, view.model
        return cls(
            tenant_model_id=model.id,
            alias=model.alias,
            is_enabled=ent.enabled,
            is_default=ent.is_default,
            context_window=model.context_window,
            capabilities=list(model.capabilities or []),
            reasoning=Reasoning(enabled=bool((model.reasoning or {}).get("enabled", False))),
            logo_url=model.logo_url,
            logo_url_dark=model.logo_url_dark,
            added_at=ent.created_at,
        )


class PageMeta(BaseModel):
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )
    has_more: bool


class AllowedModelList(BaseModel):
    data: list[AllowedModel]
    meta: PageMeta


class AllowedModelEnvelope(BaseModel):
    data: AllowedModel


class AllowedModelAdd(RequestModel):
    tenant_model_id: uuid.UUID = Field(
        validation_alias=AliasChoices("tenant_model_id", "model_id"),
        description="The tenant model to allow. `model_id` (seed 000's name) is accepted too.",
    )
    is_enabled: bool = Field(default=True, description="Add it disabled with `false`.")
    is_default: bool = Field(
        default=False, description="Also make it the space's default model (replacing the old)."
    )
