"""What is known about a gateway call by the time it is sent upstream: the record every step of
the call (limits, the crash journal, idempotency, refusals, metering) reads."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from spacegate.auth.principal import Principal
from spacegate.gateway.catalog import Route
from spacegate.gateway.limiting import Ticket
from spacegate.gateway.providers import Endpoint


@dataclass(slots=True)
class Call:
    """What is known about a call by the time it is sent upstream."""

    principal: Principal
    space_id: uuid.UUID
    endpoint: Endpoint
    route: Route
    purpose: str | None
    step_type: str | None
    tags: list[str]
    type: str
    correlation_id: str | None
    request_id: str | None
    started: float
    #: The size of the request's JSON body, in bytes.
    size: int = 0
    #: What the call reserved against its limits, settled when it is metered.
    limits: Ticket | None = None
    #: The client's ``Idempotency-Key``, if it sent one.
    idempotency_key: str | None = None
    #: The status the call was metered with (a stream's is known only at its end).
    status: int = 0
    #: The call's line in the crash journal, once it is about to leave.
    journal_id: int | None = None


__all__ = ["Call"]
