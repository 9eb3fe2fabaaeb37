"""Request and response shapes of the org's model registry.

Both surfaces that serve the registry (Aimable ``/api-proxy/v1/tenant/models`` and the platform's
``/v1/tenant-models``) use these; only their list and item envelopes differ.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from spacegate.wire.base import RequestModel, ResponseModel

if TYPE_CHECKING:
    from spacegate.models import ModelTarget, RegisteredModel

ALIAS_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$"
RoutingStrategy = Literal["priority", "round_robin", "lowest_latency"]
Alias = Annotated[
    str,
    StringConstraints(pattern=ALIAS_PATTERN),
    Field(
        description="Unique in the org. The name callers use: OpenAI's `model`, MechaMental's "
        "`logical_model_id`. Letters, digits and `. _ : / -`, up to 200 characters.",
        examples=["gpt-4o-mini"],
    ),
]
Capability = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
LogoUrl = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2048)]
Price = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=6)]
UpstreamModel = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Reasoning(RequestModel):
    enabled: bool = False


class RequestOverrides(RequestModel):
    """Defaults applied to every request for this model when the caller does not set them."""

    # Stop sequences are often whitespace ("\n\n"): keep them as written.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    max_tokens: int | None = Field(default=None, ge=1, le=10_000_000)
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    stop: list[Annotated[str, StringConstraints(min_length=1)]] | None = Field(
        default=None, max_length=4
    )
    seed: int | None = None
    reasoning_effort: Literal["minimal", "low", "medium", "high"] | None = None

    def stored(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class TargetIn(RequestModel):
    provider_id: uuid.UUID = Field(description="A provider connection of the org.")
    upstream_model: UpstreamModel = Field(description="The model name the provider knows.")
    priority: int = Field(default=0, ge=0, le=1000, description="Lower is tried first.")
    weight: int = Field(default=1, ge=1, le=1000, description="Share under `round_robin`.")


def _dedupe_capabilities(value: list[str] | None) -> list[str] | None:
    return list(dict.fromkeys(value)) if value is not None else None


def default_capabilities(alias: str, targets: Sequence[TargetIn]) -> list[str]:
    """A new model's capabilities when the registration names none: ``["embeddings"]`` when its
    upstream model's name (or its alias) says ``embed`` (``text-embedding-3-small``,
    ``nomic-embed-text``, ``mxbai-embed-large``...), ``["chat"]`` otherwise."""
    names = [alias, *(t.upstream_model for t in targets)]
    return ["embeddings"] if any("embed" in n.lower() for n in names) else ["chat"]


class _ModelFields(RequestModel):
    display_name: str | None = Field(default=None, max_length=200)
    capabilities: list[Capability] | None = Field(
        default=None,
        max_length=32,
        examples=[["chat", "reasoning"]],
        description="What the model can do. The gateway serves `/v1/chat/completions` to models "
        "with `chat`, `/v1/completions` to `chat` or `completions`, `/v1/embeddings` to "
        "`embeddings`, and answers 400 otherwise; other values (`reasoning`, `vision`, "
        '`file-processing`...) are shown as given. Left out on registration: `["embeddings"]` '
        'when the upstream model\'s name or the alias contains `embed`, else `["chat"]`.',
    )
    context_window: int | None = Field(default=None, ge=1, le=100_000_000)
    reasoning: Reasoning | None = None
    logo_url: LogoUrl | None = None
    logo_url_dark: LogoUrl | None = None
    input_price_per_mtok: Price | None = None
    output_price_per_mtok: Price | None = None
    request_overrides: RequestOverrides | None = None
    routing_strategy: RoutingStrategy | None = None
    enabled: bool | None = None
    provider_id: uuid.UUID | None = Field(
        default=None, description="Shortcut for one target: the provider connection."
    )
    upstream_model: UpstreamModel | None = Field(
        default=None, description="Shortcut for one target: the provider's model name."
    )
    targets: list[TargetIn] | None = Field(
        default=None, min_length=1, max_length=16, description="Several targets; see routing."
    )

    _capabilities = field_validator("capabilities")(_dedupe_capabilities)

    def target_list(self) -> list[TargetIn] | None:
        """The targets the body asks for, or None when it does not touch them."""
        if self.targets is not None:
            return self.targets
        if self.provider_id is not None and self.upstream_model is not None:
            return [TargetIn(provider_id=self.provider_id, upstream_model=self.upstream_model)]
        return None

    @model_validator(mode="after")
    def _one_way_to_name_targets(self) -> _ModelFields:
        shortcut = (self.provider_id is not None, self.upstream_model is not None)
        if any(shortcut) and not all(shortcut):
            raise ValueError("provider_id and upstream_model go together")
        if all(shortcut) and self.targets is not None:
            raise ValueError("give either provider_id and upstream_model, or targets, not both")
        return self


class ModelCreate(_ModelFields):
    alias: Alias

    @model_validator(mode="after")
    def _needs_a_target(self) -> ModelCreate:
        if self.target_list() is None:
            raise ValueError("a model needs provider_id and upstream_model, or targets")
        return self


class ModelUpdate(_ModelFields):
    """Only the fields present in the body change; ``targets`` replaces the whole set."""

    alias: Alias | None = None

    @model_validator(mode="after")
    def _no_null_for_required(self) -> ModelUpdate:
        for name in ("alias", "capabilities", "reasoning", "request_overrides", "enabled"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        if "routing_strategy" in self.model_fields_set and self.routing_strategy is None:
            raise ValueError("routing_strategy cannot be null")
        return self


class TargetRead(BaseModel):
    target_id: uuid.UUID
    provider_id: uuid.UUID
    upstream_model: str
    priority: int
    weight: int


class ReasoningRead(BaseModel):
    enabled: bool


class TenantModelRead(ResponseModel):
    tenant_model_id: uuid.UUID
    alias: str
    display_name: str
    capabilities: list[str]
    context_window: int | None
    reasoning: ReasoningRead
    logo_url: str | None
    logo_url_dark: str | None
    input_price_per_mtok: float | None
    output_price_per_mtok: float | None
    request_overrides: dict[str, Any]
    routing_strategy: str
    enabled: bool
    provider_id: uuid.UUID | None = Field(description="The first target's provider connection.")
    upstream_model: str | None = Field(description="The first target's upstream model name.")
    targets: list[TargetRead]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def build(cls, model: RegisteredModel, targets: Sequence[ModelTarget]) -> TenantModelRead:
        first = targets[0] if targets else None
        return cls(
            tenant_model_id=model.id,
            alias=model.alias,
            display_name=model.display_name,
            capabilities=list(model.capabilities),
            context_window=model.context_window,
            reasoning=ReasoningRead(enabled=bool((model.reasoning or {}).get("enabled", False))),
            logo_url=model.logo_url,
            logo_url_dark=model.logo_url_dark,
            input_price_per_mtok=_price(model.input_price_per_mtok),
            output_price_per_mtok=_price(model.output_price_per_mtok),
            request_overrides=dict(model.request_overrides or {}),
            routing_strategy=model.routing_strategy,
            enabled=model.enabled,
            provider_id=first.connection_id if first else None,
            upstream_model=first.upstream_model if first else None,
            targets=[
                TargetRead(
                    target_id=t.id,
                    provider_id=t.connection_id,
                    upstream_model=t.upstream_model,
                    priority=t.priority,
                    weight=t.weight,
                )
                for t in targets
            ],
            created_at=model.created_at,
            updated_at=model.updated_at,
        )


def _price(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None
