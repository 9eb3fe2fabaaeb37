"""The policy types an endpoint can carry, their configurations and JSON schemas."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StringConstraints, ValidationError, model_validator

from spacegate.errors import NotFound, Unprocessable
from spacegate.rag.policies.detectors import KINDS
from spacegate.wire.base import RequestModel

Glob = Annotated[
    str,
    StringConstraints(min_length=1, max_length=320, pattern=r"^[^\s]+$"),
    Field(description="An email or a glob of emails (`*@example.com`, `*`)."),
]
Detector = Literal["email", "iban", "card", "cnpj", "cpf", "ssn", "phone"]
Target = Literal["answer", "references", "question"]
ALL_DETECTORS: tuple[Detector, ...] = ("email", "iban", "card", "cnpj", "cpf", "ssn", "phone")
DEFAULT_TARGETS: tuple[Target, ...] = ("answer",)
assert ALL_DETECTORS == KINDS


class AccessConfig(RequestModel):
    """Who may query: the most specific matching pattern decides, deny on a tie. With allow
    patterns, a caller none of them matches is refused; with only deny patterns, let through."""

    allow: list[Glob] = Field(default_factory=list, max_length=500)
    deny: list[Glob] = Field(default_factory=list, max_length=500)
    allow_api_keys: list[uuid.UUID] = Field(
        default_factory=list, max_length=500, description="API key ids let through."
    )
    deny_api_keys: list[uuid.UUID] = Field(
        default_factory=list, max_length=500, description="API key ids refused."
    )

    @model_validator(mode="after")
    def _some_rule(self) -> AccessConfig:
        if not (self.allow or self.deny or self.allow_api_keys or self.deny_api_keys):
            raise ValueError("an access policy needs at least one allow or deny rule")
        return self


class RateLimitConfig(RequestModel):
    """At most N queries per window (`s`, `m`, `h`, `d`) to the endpoint, per user or for all."""

    limit: str = Field(
        pattern=r"^[1-9][0-9]{0,8}/(s|m|h|d)$",
        description="`N/s`, `N/m`, `N/h` or `N/d`.",
        examples=["10/m"],
    )
    scope: Literal["per_user", "global"] = "per_user"
    applied_to: list[Glob] = Field(
        default_factory=lambda: ["*"],
        min_length=1,
        max_length=500,
        description="Whose queries count: emails or globs; `*` is everyone, keys included.",
    )


class PiiFilterConfig(RequestModel):
    """Replaces each detected identifier with a typed placeholder (`[EMAIL]`, `[CARD]` ...)."""

    detectors: list[Detector] = Field(default_factory=lambda: list(ALL_DETECTORS), min_length=1)
    apply_to: list[Target] = Field(
        default_factory=lambda: list(DEFAULT_TARGETS),
        min_length=1,
        description="The answer, the references and/or the question (masked before search "
        "and the model see it).",
    )
    detect_names: StrictBool = Field(
        default=False,
        description="Also ask the endpoint's model for people's names (`[NAME]`); "
        "metered like the answer.",
    )


@dataclass(frozen=True)
class PolicyType:
    name: str
    description: str
    config: type[RequestModel]
    stage: str

    def wire(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "stage": self.stage,
            "config_schema": self.config.model_json_schema(),
            "enabled": True,
        }


TYPES: dict[str, PolicyType] = {
    t.name: t
    for t in (
        PolicyType(
            "access", "Allow or deny callers by email glob or API key.", AccessConfig, "pre"
        ),
        PolicyType("rate_limit", "Queries per window, per user or global.", RateLimitConfig, "pre"),
        PolicyType(
            "pii_filter",
            "Mask emails, phones, cards, IBANs, CPF/CNPJ and SSNs (checksums verified).",
            PiiFilterConfig,
            "post",
        ),
    )
}


def policy_type(name: str) -> PolicyType:
    found = TYPES.get(name)
    if found is None:
        raise NotFound(f"Policy type '{name}' not found", code="policy_type_not_found")
    return found


def checked_config(type_name: str, configuration: dict[str, Any]) -> dict[str, Any]:
    """The configuration, validated against its type (422 naming the field) and completed."""
    kind = TYPES.get(type_name)
    if kind is None:
        raise Unprocessable(
            f"Unknown policy_type '{type_name}'; one of: {', '.join(TYPES)}.",
            code="invalid_policy_type",
            extra={"param": "policy_type"},
        )
    try:
        parsed = kind.config.model_validate(configuration)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in ("configuration", *first["loc"]))
        raise Unprocessable(
            f"'{where}': {first['msg']}", code="invalid_configuration", extra={"param": where}
        ) from None
    dumped: dict[str, Any] = parsed.model_dump(mode="json")
    return dumped
