"""Wire schemas of ``spacegate.api.aimable.model_policy``: pydantic only."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, model_validator

from spacegate.wire.base import RequestModel

if TYPE_CHECKING:
    from spacegate.entitlements.schemas import ModelPolicy

Mode = Literal["fixed", "dynamic"]


class ModelPolicyRead(BaseModel):
    default_model_id: uuid.UUID | None = Field(description="`tenant_model_id` of the default.")
    default_model_alias: str | None
    mode: Mode

    @classmethod
    def of(cls, policy: ModelPolicy) -> ModelPolicyRead:
        model = policy.default.model if policy.default else None
        return cls(
            default_model_id=model.id if model else None,
            default_model_alias=model.alias if model else None,
            mode=policy.mode,
        )


class ModelPolicyUpdate(RequestModel):
    """Fields left out are unchanged. ``default_model_id: null`` leaves the space without one."""

    default_model_id: uuid.UUID | None = Field(
        default=None, description="A model allowed (and enabled) in the space; null clears it."
    )
    default_model_alias: str | None = Field(
        default=None, max_length=200, description="The default model named by its alias instead."
    )
    mode: Mode | None = None

    @model_validator(mode="after")
    def _one_way_to_name_the_default(self) -> ModelPolicyUpdate:
        if {"default_model_id", "default_model_alias"} <= self.model_fields_set:
            raise ValueError("give default_model_id or default_model_alias, not both")
        if "mode" in self.model_fields_set and self.mode is None:
            raise ValueError("mode cannot be null")
        return self
