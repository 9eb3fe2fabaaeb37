"""The entitlement checks every gateway call passes before anything is sent upstream."""

from __future__ import annotations

from typing import Any

from spacegate.gateway.catalog import Route
from spacegate.gateway.errors import GatewayError, forbidden, invalid

ENDPOINT_PERMISSION = {
    "chat.completions": "chat:create",
    "completions": "completions:create",
    "embeddings": "embeddings:create",
}
#: The model capabilities that serve each endpoint: a model serves an endpoint when one of its
#: capabilities is listed here (``chat`` models also take OpenAI's legacy text completions, as
#: OpenAI-compatible servers do).
ENDPOINT_CAPABILITIES = {
    "chat.completions": frozenset({"chat"}),
    "completions": frozenset({"chat", "completions"}),
    "embeddings": frozenset({"embeddings"}),
}
#: The capability to add to a model for an endpoint it does not serve.
_TO_ADD = {"chat.completions": "chat", "completions": "completions", "embeddings": "embeddings"}


def check_route(
    route: Route | None,
    *,
    ref: str | None,
    endpoint: str,
    purpose: str | None,
    step_type: str | None,
    body: dict[str, Any],
) -> Route:
    if route is None:
        if ref is None:
            raise invalid(
                "No model given and the space has no default model.",
                param="model",
                code="model_required",
                rule="default_model",
            )
        raise forbidden(
            f"The model '{ref}' is not available in this space.",
            code="model_not_entitled",
            param="model",
            rule="entitlement",
        )
    if not route.enabled or not route.model_enabled:
        raise forbidden(
            f"The model '{route.alias}' is disabled in this space.",
            code="model_disabled",
            param="model",
            rule="enabled",
        )
    served_by = ENDPOINT_CAPABILITIES[endpoint]
    for capability in route.capabilities:
        if capability in served_by:
            break
    else:
        raise _unsupported(route, endpoint)
    if route.allowed_endpoints and endpoint not in route.allowed_endpoints:
        raise forbidden(
            f"The endpoint '{endpoint}' is not allowed for '{route.alias}' in this space.",
            code="endpoint_not_allowed",
            rule="allowed_endpoints",
        )
    if route.allowed_purposes and purpose not in route.allowed_purposes:
        allowed = ", ".join(sorted(route.allowed_purposes))
        said = f"'{purpose}'" if purpose else "no purpose"
        raise forbidden(
            f"Purpose {said} is not allowed for '{route.alias}' here (allowed: {allowed}); "
            "declare it with the X-Spacegate-Purpose header or metadata.purpose.",
            code="purpose_not_allowed",
            rule="allowed_purposes",
        )
    if route.allowed_step_types and step_type not in route.allowed_step_types:
        allowed = ", ".join(sorted(route.allowed_step_types))
        said = f"'{step_type}'" if step_type else "no step type"
        raise forbidden(
            f"Step type {said} is not allowed for '{route.alias}' here (allowed: {allowed}); "
            "declare it with the X-Spacegate-Step-Type header or metadata.step_type.",
            code="step_type_not_allowed",
            rule="allowed_step_types",
        )
    _check_max_tokens(route, body)
    return route


def _unsupported(route: Route, endpoint: str) -> GatewayError:
    has = ", ".join(route.capabilities) or "none"
    serves = [
        e for e, caps in ENDPOINT_CAPABILITIES.items() if caps.intersection(route.capabilities)
    ]
    where = ", ".join(f"/v1/{e.replace('.', '/')}" for e in serves) or "no endpoint"
    return invalid(
        f"The model '{route.alias}' does not support {endpoint} (its capabilities: {has}; it "
        f"serves {where}). An admin can add the '{_TO_ADD[endpoint]}' capability to the model.",
        param="model",
        code="model_capability_unsupported",
        rule="capabilities",
    )


def requested_max_tokens(body: dict[str, Any]) -> int | None:
    for name in ("max_completion_tokens", "max_tokens"):
        value = body.get(name)
        if value is not None:
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise invalid(f"'{name}' must be a positive integer.", param=name, rule="request")
            return value
    return None


def _check_max_tokens(route: Route, body: dict[str, Any]) -> None:
    wanted = requested_max_tokens(body)
    if wanted is None:
        return
    cap = route.limits.get("max_tokens_per_request")
    if isinstance(cap, int) and wanted > cap:
        raise GatewayError(
            400,
            f"max_tokens {wanted} exceeds this space's limit of {cap} tokens per request "
            f"for '{route.alias}'.",
            code="max_tokens_exceeded",
            param="max_tokens",
            rule="max_tokens_per_request",
        )
    if route.context_window and wanted > route.context_window:
        raise GatewayError(
            400,
            f"max_tokens {wanted} exceeds the context window of '{route.alias}' "
            f"({route.context_window}).",
            code="context_window_exceeded",
            param="max_tokens",
            rule="context_window",
        )
