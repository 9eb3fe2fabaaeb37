"""GCRA (generic cell rate algorithm) with a cost argument: the pure arithmetic.

One number per key, the *theoretical arrival time* (TAT): the moment the bucket would be full
again. A limit of ``limit`` units per ``period`` seconds emits one unit every ``period / limit``
seconds; a call costing ``cost`` units is admitted when, after adding it, the TAT lies no more
than one ``period`` ahead of now. That is a token bucket of capacity ``limit`` refilled
continuously, starting full: in any ``T`` seconds at most ``limit + limit * T / period`` units get
through, with no doubling at window edges, and a refusal knows exactly when it would succeed.
The TAT is stored with the interval it was computed under, so that when an admin changes a limit
the units already used carry over (``rescale``), not the time.

The Redis backend runs the same arithmetic in Lua (``lua.LUA_BATCH``); keep them in step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Times are seconds since this instant (2024-01-01T00:00:00Z): small numbers keep a double's
#: resolution near a nanosecond, where seconds since 1970 would only resolve ~0.2 µs.
EPOCH = 1_704_067_200
#: Slack for floating-point rounding when comparing instants (far below any real boundary).
EPS = 1e-7


@dataclass(frozen=True, slots=True)
class Rate:
    """``limit`` units per ``period`` seconds (a fractional limit is fine: limit ÷ instances)."""

    limit: float
    period: float

    @property
    def interval(self) -> float:
        return self.period / self.limit


@dataclass(slots=True)
class Decision:
    allowed: bool
    #: The TAT to store when admitted (unchanged state when refused).
    tat: float
    #: Whole units still available right after this decision.
    remaining: int
    #: Whole units available before it (what is left if the call is not taken after all).
    available: int
    #: Seconds until this call would be admitted (0 when admitted).
    retry_after: float
    #: Seconds until the bucket is full again.
    reset_after: float


def decide(tat: float | None, now: float, rate: Rate, cost: float) -> Decision:
    """Admit ``cost`` units at ``now`` against a bucket whose TAT is ``tat`` (None: never used).

    A cost above the whole capacity is charged as the capacity: such a call is admitted when the
    bucket is full (its real size is settled afterwards), rather than refused forever.
    """
    limit, period = rate.limit, rate.period
    interval = period / limit
    if cost > limit:
        cost = limit
    base = now if tat is None or tat < now else tat
    new_tat = base + cost * interval
    allow_at = new_tat - period
    # Whole units (``_whole``, inlined: this runs on every call of every limit).
    available = math.floor((period - (base - now)) / interval + 1e-6)
    if available < 0:
        available = 0
    if allow_at > now + EPS:
        return Decision(False, base, available, available, allow_at - now, base - now)
    remaining = math.floor((period - (new_tat - now)) / interval + 1e-6)
    if remaining < 0:
        remaining = 0
    return Decision(True, new_tat, remaining, available, 0.0, new_tat - now)


def adjust(tat: float | None, now: float, rate: Rate, delta: float) -> float | None:
    """Charge ``delta`` more units (a debt that delays the next admission) or refund ``-delta``
    (never above a full bucket). Used to settle a reservation to what was really used."""
    if delta > 0:
        return (now if tat is None or tat < now else tat) + delta * rate.interval
    if tat is None:
        return None
    return max(tat + delta * rate.interval, now)


def rescale(tat: float, now: float, was: float, interval: float, period: float) -> float:
    """A TAT stored under the emission interval ``was`` (an earlier limit), read under
    ``interval``: the units it holds stay what was used. Raising a limit frees the difference at
    once (an exhausted 2 per minute raised to 50 has 48 left); lowering it can fill the bucket
    (the next call waits one interval) but never pushes the TAT past a full bucket, unless a
    settled overflow had already put it there."""
    ahead = tat - now
    if ahead <= 0.0:
        return tat
    scaled = ahead * interval / was
    cap = period if period > ahead else ahead
    return now + (scaled if scaled < cap else cap)


def _whole(units: float) -> int:
    return max(math.floor(units + 1e-6), 0)
