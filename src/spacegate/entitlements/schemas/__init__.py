"""Internal shapes of the entitlement domain; the wire schemas of each API surface build on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spacegate.entitlements.schemas.limits import (
    ENDPOINTS,
    STEP_TYPES,
    Endpoint,
    Purpose,
    StepType,
    WorkspaceLimits,
)
from spacegate.models import Entitlement, RegisteredModel

MODEL_MODES = ("fixed", "dynamic")


@dataclass(frozen=True, slots=True)
class EntitlementView:
    """An entitlement together with the registry model it grants (both dialects render this)."""

    entitlement: Entitlement
    model: RegisteredModel


@dataclass(frozen=True, slots=True)
class ModelPolicy:
    """A space's model policy: ``fixed`` always uses the default, ``dynamic`` lets callers pick."""

    mode: str
    default: EntitlementView | None


@dataclass(frozen=True, slots=True)
class EntitlementRules:
    """What a grant or an update sets; ``None`` fields are left alone (or defaulted on grant)."""

    workspace_limits: WorkspaceLimits | None = None
    allowed_step_types: Sequence[str] | None = None
    allowed_endpoints: Sequence[str] | None = None
    allowed_purposes: Sequence[str] | None = None
    enabled: bool | None = None


__all__ = [
    "ENDPOINTS",
    "MODEL_MODES",
    "STEP_TYPES",
    "Endpoint",
    "EntitlementRules",
    "EntitlementView",
    "ModelPolicy",
    "Purpose",
    "StepType",
    "WorkspaceLimits",
]
