"""A call's limits worked out once, and reused by every call until something changes.

Which rates, budgets and caps apply to a call depends on its entitlement, its API key and its
org, none of which change from one call to the next. A ``Plan`` holds what follows from them — the
limiter keys, the rates, the budget windows, the ``RateLimit-Policy`` text — so that a call only
adds what is its own: how many tokens it reserves, and the ``RateLimit`` state it gets back.

A plan is thrown away when the org's governance generation moves (an admin changed a limit, on
this instance or, through Redis, on another), when the entitlement's limits are reloaded, after
the limits cache's TTL, and when one of its budget windows ends (the next call plans the next
window).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from spacegate.limits.backends import Outcome, RateItem, RateSpec
from spacegate.limits.gcra import Rate
from spacegate.limits.headers import Quota
from spacegate.limits.service import Seeder


@dataclass(frozen=True, slots=True)
class PlannedRate:
    key: str
    rate: Rate
    #: Charged the call's tokens (``tpm``) rather than one request.
    tokens: bool
    scope: str  # "space", "key", "org"
    #: What the client is told (``remaining`` / ``reset`` are filled in per call).
    quota: Quota
    #: The request-count item, the same for every call (None: built per call with its tokens).
    item: RateItem | None
    #: ``"rpm";r=`` — the start of this rate's ``RateLimit`` item.
    state: str


@dataclass(frozen=True, slots=True)
class PlannedBudget:
    kind: str  # "tokens" or "cost"
    spec: dict[str, Any]
    key: str
    limit: float
    start: datetime
    end: datetime
    #: The window's bounds, in seconds since 1970.
    start_s: float
    end_s: float
    seeder: Seeder


@dataclass(slots=True)
class Plan:
    #: The entitlement's limits this plan was made from (a reloaded entitlement is a new dict).
    source: object
    generation: int
    #: ``time.monotonic()`` after which the plan is made again (the limits cache's TTL).
    fresh_until: float
    #: Wall-clock seconds at which the first budget window ends.
    until: float
    rates: tuple[PlannedRate, ...] = ()
    budgets: tuple[PlannedBudget, ...] = ()
    lease_key: str | None = None
    cap: int | None = None
    #: The ``RateLimit-Policy`` field.
    policy: str = ""
    #: Each budget's ``seeder``, in order.
    seeders: tuple[Seeder, ...] = ()
    #: The backends' cache for this plan's admissions (``Admission.memo``).
    memo: dict[str, Any] = field(default_factory=dict)

    #: Nothing limits the call (set once the plan is complete).
    empty: bool = True
    #: The rates as backends read them (``backends.RateSpec``), and which charge tokens.
    specs: tuple[RateSpec, ...] = ()
    per_token: tuple[bool, ...] = ()
    #: The rates' part of the ``RateLimit`` field, with ``%s`` for each ``r`` and ``t``.
    template: str = ""

    def finish(self) -> None:
        """Derive what calls read from the rates, budgets and cap (once they are set)."""
        self.seeders = tuple(b.seeder for b in self.budgets)
        self.specs = tuple(
            (r.key, r.rate.limit, r.rate.period, r.rate.period / r.rate.limit) for r in self.rates
        )
        self.per_token = tuple(r.tokens for r in self.rates)
        self.template = ", ".join(r.state.replace("%", "%%") + "%s;t=%s" for r in self.rates)
        self.policy = policy(self.rates, self.budgets)
        self.empty = not (self.rates or self.budgets or self.lease_key)

    def state(self, outcome: Outcome, costs: Sequence[float], now_s: float) -> str:
        """The ``RateLimit`` field of an admitted call."""
        state: list[Any] = []
        for st in outcome.rates:
            t = math.ceil(st.reset_after - 1e-9)
            state += (st.remaining, t if t > 0 else 0)
        return self.header(state, outcome.used, costs, now_s)

    def header(
        self, state: Sequence[Any], used: Sequence[float], costs: Sequence[float], now_s: float
    ) -> str:
        """The ``RateLimit`` field of an admitted call from its rates' ``r`` and ``t`` (in
        turn, as ``backends.Taken`` has them) and each budget's total before the call
        (``Quota.state_item`` of each quota, written out: this runs on every call)."""
        text = self.template % tuple(state)
        for b, u, c in zip(self.budgets, used, costs, strict=False):
            if b.kind == "tokens":
                left = math.floor(b.limit - u - c)
                t = math.ceil(b.end_s - now_s - 1e-9)
                item = f'"token-budget";r={left if left > 0 else 0};t={t if t > 0 else 0}'
                text = f"{text}, {item}" if text else item
        return text

    def quotas(self, outcome: Outcome, costs: Sequence[float], now_s: float) -> list[Quota]:
        """Every quota with what is left (refusals name the ones that tripped)."""
        out = []
        for r, st in zip(self.rates, outcome.rates, strict=False):
            q = r.quota
            reset = st.reset_after if st.allowed else st.retry_after
            out.append(Quota(q.name, q.limit, q.window, st.remaining, reset, q.unit))
        out += [r.quota for r in self.rates[len(outcome.rates) :]]  # not decided: quota only
        for b, used, c in zip(self.budgets, outcome.used, costs, strict=False):
            if b.kind == "tokens":
                left = b.limit - used - (c if outcome.allowed else 0)
                out.append(budget_quota(b, left, b.end_s - now_s))
        return out


def budget_quota(b: PlannedBudget, left: float, reset: float) -> Quota:
    return Quota("token-budget", b.spec["limit"], b.end_s - b.start_s, left, reset, "tokens")


def policy(rates: Sequence[PlannedRate], budgets: Sequence[PlannedBudget]) -> str:
    quotas = [r.quota for r in rates] + [
        budget_quota(b, 0, 0) for b in budgets if b.kind == "tokens"
    ]
    return ", ".join(q.policy_item() for q in quotas)
