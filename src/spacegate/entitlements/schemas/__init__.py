"""Internal shapes of the entitlement domain; the wire schemas of each API surface build on them."""

from __future__ import annotations

from dataclasses import dataclass

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
