"""IETF ``RateLimit-Policy`` / ``RateLimit`` header fields (draft-ietf-httpapi-ratelimit-headers).

``RateLimit-Policy: "rpm";q=60;w=60, "tpm";q=100000;w=60;sg-unit="tokens"`` says what the limits
are; ``RateLimit: "rpm";r=59;t=1, ...`` says what is left (``r``) and in how many seconds the quota
is whole again (``t``). Tokens are not a registered quota unit, hence the vendor parameter. On a
refusal only the limits that tripped are listed in ``RateLimit``, with ``t`` equal to
``Retry-After``, so the two never disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Quota:
    """One policy as the client sees it."""

    name: str
    limit: float
    window: float
    remaining: float
    #: Seconds until the quota is whole again (or, for a refusal, until the call would pass).
    reset: float
    unit: str | None = None  # None: requests

    def policy_item(self) -> str:
        item = f'"{self.name}";q={_num(self.limit)};w={max(1, math.ceil(self.window))}'
        if self.unit is not None:
            item += f';sg-unit="{self.unit}"'
        return item

    def state_item(self) -> str:
        return f'"{self.name}";r={max(0, math.floor(self.remaining))};t={seconds(self.reset)}'


def seconds(value: float) -> int:
    """Whole seconds, rounded up: a client that waits this long is never early."""
    return max(0, math.ceil(value - 1e-9))


def retry_after(value: float) -> int:
    """``Retry-After`` for a refusal: at least one second."""
    return max(1, seconds(value))


def fields(quotas: list[Quota], tripped: list[Quota] | None = None) -> dict[str, str]:
    if not quotas:
        return {}
    shown = tripped if tripped else quotas
    return {
        "RateLimit-Policy": ", ".join(q.policy_item() for q in quotas),
        "RateLimit": ", ".join(q.state_item() for q in shown),
    }


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"
