"""The gateway's limits: what a call reserves before it is sent, and what it settles afterwards.

Per call, in one backend round trip (one Lua script with Redis): the space's ``rpm`` / ``tpm`` on
the model, the key's own ``rpm`` / ``tpm`` and concurrency cap, the token and cost budgets of the
current window, and the org's request limit when it is set to cover gateway calls. Tokens are
known only afterwards, so the call reserves ``estimated prompt + max_tokens`` (and the matching
spend) up front and settles to the real usage when the answer or the stream ends — including a
client that hung up (the usage counted so far, or the reservation when none is known). A budget
therefore cannot be overspent by calls racing each other: of N parallel calls that each fit but
together do not, only those that fit are admitted.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from spacegate.gateway.errors import GatewayError
from spacegate.gateway.metering import cost_of
from spacegate.gateway.policy import requested_max_tokens
from spacegate.gateway.providers.base import Usage
from spacegate.kit import metrics
from spacegate.kit.clock import isoformat_z, utcnow
from spacegate.limits import budgets, headers
from spacegate.limits.backends import Admission, LeaseItem, Outcome, RateItem, Settlement
from spacegate.limits.gcra import Rate
from spacegate.limits.headers import Quota
from spacegate.limits.service import LimitService, Seeder, budget_item

if TYPE_CHECKING:
    from spacegate.gateway.service import Call

log = logging.getLogger(__name__)

#: Completion tokens reserved for a call that sets no ``max_tokens`` (settled to the real figure).
DEFAULT_COMPLETION_RESERVE = 1024
#: A concurrency slot is given back after this long even if its call never ended (a crash).
LEASE_S = 900.0
_PERIOD_WORD = {"day": "daily", "week": "weekly", "month": "monthly"}


@dataclass(slots=True)
class _Rated:
    quota: Quota
    item: RateItem
    tokens: bool
    scope: str  # "space", "key", "org"


@dataclass(slots=True)
class Ticket:
    """What an admitted call holds until it settles."""

    on_primary: bool
    tokens_reserved: int
    cost_reserved: float
    token_rates: list[tuple[str, Rate, float]] = field(default_factory=list)
    token_budgets: list[tuple[str, int]] = field(default_factory=list)
    cost_budgets: list[tuple[str, int]] = field(default_factory=list)
    lease: tuple[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)


class GatewayLimiter:
    def __init__(self, limits: LimitService) -> None:
        self.limits = limits

    async def admit(self, request: Request, call: Call, body: dict[str, Any]) -> Ticket | None:
        """Reserve what the call may use, or raise the refusal (429, 402, 503)."""
        lim = self.limits
        principal, route = call.principal, call.route
        org_id = principal.org_id
        rl = route.limits
        keyl = await lim.key_limits(org_id, principal.api_key_id)
        org_windows = (await lim.org_profile(org_id)).windows if lim.scope_all else ()
        token_budget, cost_budget = rl.get("token_budget"), rl.get("cost_budget")
        rpm, tpm = rl.get("rpm"), rl.get("tpm")
        if not (rpm or tpm or token_budget or cost_budget or keyl.any or org_windows):
            return None
        tokens = await _tokens_to_reserve(request, call, body)
        rated: list[_Rated] = []
        ent = route.entitlement_id
        for w in org_windows:
            item = RateItem(lim.key(org_id, "org", w.seconds), w.rate, 1)
            rated.append(
                _Rated(Quota(f"org-{w.name}", w.limit, w.seconds, 0, 0), item, False, "org")
            )
        for name, limit, is_tokens, scope, owner in (
            ("rpm", rpm, False, "space", ("e", ent)),
            ("tpm", tpm, True, "space", ("e", ent)),
            ("key-rpm", keyl.rpm, False, "key", ("k", principal.api_key_id)),
            ("key-tpm", keyl.tpm, True, "key", ("k", principal.api_key_id)),
        ):
            if limit:
                item = RateItem(
                    lim.key(org_id, *owner, name[-3:]), Rate(limit, 60), tokens if is_tokens else 1
                )
                unit = "tokens" if is_tokens else None
                rated.append(_Rated(Quota(name, limit, 60, 0, 0, unit), item, is_tokens, scope))
        now = utcnow()
        budget_specs: list[tuple[str, dict[str, Any], datetime, datetime, float]] = []
        if token_budget or cost_budget:
            tz = budgets.zone((await lim.org_profile(org_id)).timezone)  # the org's calendar
            if token_budget:
                start, end = budgets.window(str(token_budget["period"]), tz, now)
                budget_specs.append(("tokens", token_budget, start, end, float(tokens)))
            if cost_budget:
                prompt = max(tokens - _completion_reserve(call, body), 0)
                price = cost_of(prompt, tokens - prompt, route.input_price, route.output_price)
                start, end = budgets.window(str(cost_budget["period"]), tz, now)
                budget_specs.append(("cost", cost_budget, start, end, float(price)))
        budget_items, seeders = [], []
        for kind, spec, start, end, c in budget_specs:
            key = lim.key(
                org_id, "b", ent, kind, spec["period"], int(start.timestamp()), spec["limit"]
            )
            budget_items.append(
                budget_item(key, float(spec["limit"]), c, end.timestamp(), now.timestamp())
            )
            seeders.append(self._seeder(call, kind, start))
        lease = None
        if keyl.max_concurrency:
            lease = LeaseItem(
                lim.key(org_id, "k", principal.api_key_id, "conc"),
                keyl.max_concurrency,
                uuid.uuid4().hex,
                LEASE_S,
            )
        admission = Admission(rates=[r.item for r in rated], budgets=budget_items, lease=lease)
        outcome, on_primary = await lim.admit(admission, seeders)
        quotas = _quotas(rated, outcome)
        for (kind, spec, _start, end, c), used in zip(budget_specs, outcome.used, strict=False):
            if kind == "tokens":
                left = float(spec["limit"]) - used - (c if outcome.allowed else 0)
                window_s = (end - _start).total_seconds()
                reset = (end - now).total_seconds()
                quotas.append(Quota("token-budget", spec["limit"], window_s, left, reset, "tokens"))
        if not outcome.allowed:
            raise _refusal(call, outcome, rated, quotas, budget_specs, keyl.max_concurrency)
        cost = next((c for kind, *_, c in budget_specs if kind == "cost"), 0.0)
        ticket = Ticket(on_primary, tokens, cost, headers=headers.fields(quotas))
        for r in rated:
            if r.tokens:
                ticket.token_rates.append((r.item.key, r.item.rate, min(tokens, r.item.rate.limit)))
        for spec_, b in zip(budget_specs, budget_items, strict=True):
            held = ticket.token_budgets if spec_[0] == "tokens" else ticket.cost_budgets
            held.append((b.key, b.ttl))
        if lease is not None:
            ticket.lease = (lease.key, lease.lease)
        return ticket

    def settle(self, ticket: Ticket | None, call: Call, usage: Usage | None, status: int) -> None:
        """Correct the reservation to what the call used; off the request path."""
        if ticket is None:
            return
        s = Settlement(lease=ticket.lease)
        if usage is not None or status >= 400:
            # No usage on a failed call: nothing was produced. No usage on a success (a client
            # that hung up before any usage was known): the reservation stands.
            tokens = usage.total_tokens if usage is not None else 0
            route = call.route
            spent = (
                float(
                    cost_of(
                        usage.prompt_tokens,
                        usage.completion_tokens,
                        route.input_price,
                        route.output_price,
                    )
                )
                if usage is not None
                else 0.0
            )
            for key, rate, reserved in ticket.token_rates:
                if tokens != reserved:
                    s.rates.append((key, rate, tokens - reserved))
            for key, ttl in ticket.token_budgets:
                if tokens != ticket.tokens_reserved:
                    s.budgets.append((key, tokens - ticket.tokens_reserved, ttl))
            for key, ttl in ticket.cost_budgets:
                if spent != ticket.cost_reserved:
                    s.budgets.append((key, spent - ticket.cost_reserved, ttl))
        self.limits.settle(s, on_primary=ticket.on_primary)

    async def drain(self) -> None:
        await self.limits.drain()

    def _seeder(self, call: Call, kind: str, start: datetime) -> Seeder:
        runtime = self.limits.runtime

        async def seed() -> float:
            tokens, spent = await budgets.used_since(
                runtime.read_sessions,
                call.principal.org_id,
                call.space_id,
                call.route.model_id,
                start,
            )
            return float(tokens) if kind == "tokens" else float(spent)

        return seed


def _refusal(
    call: Call,
    outcome: Outcome,
    rated: list[_Rated],
    quotas: list[Quota],
    budget_specs: list[tuple[str, dict[str, Any], datetime, datetime, float]],
    cap: int | None,
) -> GatewayError:
    alias = call.route.alias
    denial = outcome.denial
    metrics.limits_refusals.labels(denial or "rate", "gateway").inc()
    if denial == "unavailable":
        return GatewayError(
            503,
            f"The budget of '{alias}' in this space cannot be checked right now; retry shortly.",
            code="limits_unavailable",
            headers={"Retry-After": "1"},
        )
    if denial == "budget":
        for (kind, spec, _start, end, c), ok, used in zip(
            budget_specs, outcome.budget_ok, outcome.used, strict=True
        ):
            if ok:
                continue
            word = _PERIOD_WORD.get(spec["period"], spec["period"])
            limit = spec["limit"]
            what = (
                f"{word} token budget of {limit} tokens"
                if kind == "tokens"
                else f"{word} cost budget of {limit}"
            )
            used_s = f"{int(used)}" if kind == "tokens" else f"{used:.6f}"
            need = f"{int(c)}" if kind == "tokens" else f"{c:.6f}"
            tripped = [q for q in quotas if q.name == "token-budget"] if kind == "tokens" else []
            return GatewayError(
                402,
                f"The {what} for '{alias}' in this space is spent ({used_s} used, this "
                f"request needs up to {need}); it resets at {isoformat_z(end)}.",
                code=f"{'token' if kind == 'tokens' else 'cost'}_budget_exhausted",
                headers=headers.fields(quotas, tripped) if tripped else {},
            )
    if denial == "concurrency":
        return GatewayError(
            429,
            f"Too many concurrent requests for this API key (limit {cap}). Retry after 1 seconds.",
            code="concurrency_limit_exceeded",
            headers={"Retry-After": "1"},
        )
    tripped_r = [r for r, st in zip(rated, outcome.rates, strict=True) if not st.allowed]
    wait = headers.retry_after(max(st.retry_after for st in outcome.rates if not st.allowed))
    names = "; ".join(_describe(r, alias) for r in tripped_r)
    tripped_names = {r.quota.name for r in tripped_r}
    hdrs = headers.fields(quotas, [q for q in quotas if q.name in tripped_names])
    hdrs["Retry-After"] = str(wait)
    return GatewayError(
        429,
        f"Rate limit exceeded: {names}. Retry after {wait} seconds.",
        code="rate_limit_exceeded",
        headers=hdrs,
    )


def _quotas(rated: list[_Rated], outcome: Outcome) -> list[Quota]:
    out = []
    for r, st in zip(rated, outcome.rates, strict=False):
        q = r.quota
        out.append(
            Quota(
                q.name,
                q.limit,
                q.window,
                st.remaining,
                st.reset_after if st.allowed else st.retry_after,
                q.unit,
            )
        )
    for r in rated[len(outcome.rates) :]:  # no decision (a budget refused first): quota only
        out.append(r.quota)
    return out


def _describe(r: _Rated, alias: str) -> str:
    unit = "tokens" if r.tokens else "requests"
    what = f"{r.quota.name} ({int(r.quota.limit)} {unit} per minute)"
    if r.scope == "space":
        return f"{what} for '{alias}' in this space"
    if r.scope == "key":
        return f"{what} of this API key"
    return f"{r.quota.name} ({int(r.quota.limit)} requests per {int(r.quota.window)} s) of the org"


def _completion_reserve(call: Call, body: dict[str, Any]) -> int:
    if call.endpoint == "embeddings":
        return 0
    wanted = requested_max_tokens(body)
    if wanted is not None:
        return wanted
    cap = call.route.limits.get("max_tokens_per_request")
    return int(cap) if isinstance(cap, int) else DEFAULT_COMPLETION_RESERVE


async def _tokens_to_reserve(request: Request, call: Call, body: dict[str, Any]) -> int:
    # A prompt is at most about one token per 4 bytes of its JSON request; over-reserving is
    # refunded when the call settles, under-reserving would let racing calls overspend.
    raw = await request.body()
    return len(raw) // 4 + 1 + _completion_reserve(call, body)


__all__ = ["GatewayLimiter", "Ticket"]
