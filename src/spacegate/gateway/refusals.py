"""Calls Spacegate refuses itself, after authentication: logged like any other call.

A refusal (an entitlement or capability rule, a rate limit, a budget, a bad request) never
reaches a provider and uses no token; it still gets its inference-log row (status ``error``, the
refusal's code and the rule or limit that refused it) through the same batched meter as every
call, so the request path only queues it. It is not usage: no ledger row, no entitlement counter.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prometheus_client import Counter

from spacegate.auth.principal import Principal
from spacegate.gateway.catalog import Route
from spacegate.gateway.errors import GatewayError
from spacegate.gateway.labels import Labels
from spacegate.gateway.metering import UsageEvent
from spacegate.kit import metrics

if TYPE_CHECKING:
    from spacegate.gateway.call import Call

#: What a refusal's log row says refused it when the error names no rule of its own.
_RULE_BY_STATUS = {400: "request", 402: "budget", 403: "permission", 404: "space", 429: "rate"}


@dataclass(slots=True)
class Attempt:
    """What was known about a call when it was refused."""

    principal: Principal
    endpoint: str
    started: float
    request_id: str | None
    space_id: uuid.UUID | None = None
    #: The model the body asked for (None: the space's default).
    ref: str | None = None
    route: Route | None = None
    labels: Labels | None = None


#: The two ``/metrics`` counters of a refusal, per (endpoint, code): looking a labelled child up
#: costs more than counting on it.
_COUNTERS: dict[tuple[str, str], tuple[Counter, Counter]] = {}


def _counters(endpoint: str, code: str) -> tuple[Counter, Counter]:
    pair = (metrics.requests.labels(endpoint, "error"), metrics.refusals.labels(endpoint, code))
    if len(_COUNTERS) < 1000:  # codes are a fixed set; the bound is a safety net
        _COUNTERS[endpoint, code] = pair
    return pair


def attempt_of(call: Call) -> Attempt:
    """An admitted call, as a refusal's log row sees it (refused by its limits)."""
    labels = Labels(call.purpose, call.step_type, call.type, call.tags, call.correlation_id)
    return Attempt(
        call.principal,
        call.endpoint,
        call.started,
        call.request_id,
        call.space_id,
        call.route.alias,
        call.route,
        labels,
    )


def refusal_event(attempt: Attempt, exc: GatewayError) -> UsageEvent:
    """The log row of a refused call; counts it in ``/metrics`` too."""
    elapsed_ms = (time.perf_counter() - attempt.started) * 1000
    principal, route, labels = attempt.principal, attempt.route, attempt.labels
    counters = _COUNTERS.get((attempt.endpoint, exc.code))
    if counters is None:
        counters = _counters(attempt.endpoint, exc.code)
    counters[0].inc()
    counters[1].inc()
    return UsageEvent(
        org_id=principal.org_id,
        space_id=attempt.space_id,
        user_id=principal.user_id,
        api_key_id=principal.api_key_id,
        model_id=route.model_id if route is not None else None,
        model=route.alias if route is not None else (attempt.ref or ""),
        endpoint=attempt.endpoint,
        type=(labels.type if labels is not None else None) or attempt.endpoint,
        purpose=labels.purpose if labels is not None else None,
        step_type=labels.step_type if labels is not None else None,
        tags=labels.tags if labels is not None else [],
        correlation_id=labels.correlation_id if labels is not None else None,
        request_id=attempt.request_id,
        status="error",
        http_status=exc.status,
        latency_ms=elapsed_ms,
        overhead_ms=elapsed_ms,
        error=exc.message,
        error_code=exc.code,
        refused=True,
        refused_by=exc.rule or _RULE_BY_STATUS.get(exc.status, "request"),
    )


__all__ = ["Attempt", "attempt_of", "refusal_event"]
