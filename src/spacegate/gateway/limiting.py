"""The gateway's limits: what a call reserves before it is sent, and what it settles afterwards.

Per call, in one backend round trip (one Lua script with Redis): the space's ``rpm`` / ``tpm`` on
the model, the key's own ``rpm`` / ``tpm`` and concurrency cap, the token and cost budgets of the
current window, and the org's request limit when it is set to cover gateway calls. Tokens are
known only afterwards, so the call reserves tokens (and the matching spend) up front and settles
to the real usage when the answer or the stream ends — including a client that hung up (the usage
counted so far, or the reservation when none is known). Rates (``tpm``) reserve an estimate of
the prompt (about 4 bytes of request per token) + ``max_tokens``, and a call that used more is
charged the overflow when it settles (later calls wait for it). Budgets reserve an upper bound:
no tokenizer makes more than one token of a byte, so the request's size in bytes + ``max_tokens``
is the most a call can use, and a budget therefore cannot be overspent by calls racing each
other, whatever their prompts: of N parallel calls that each fit but together do not, only those
that fit are admitted.

Which limits apply, their keys and their ``RateLimit-Policy`` text are worked out once per
entitlement and API key and reused until something changes (``limits.plan``), so a call only adds
its own reservation and ``RateLimit`` state. The usual call (no concurrency cap) takes a quick
path that builds none of the general path's objects: in process ``InProcessBackend.take``, with
Redis one pre-encoded check whose answer goes straight into the ``RateLimit`` field. Whatever it
cannot answer alone (a refusal, a budget window seen for the first time, Redis away) goes on to the
general path, having taken nothing.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from spacegate.gateway.errors import GatewayError
from spacegate.gateway.metering import cost_of
from spacegate.gateway.policy import requested_max_tokens
from spacegate.gateway.providers.base import Usage
from spacegate.kit import metrics
from spacegate.kit.clock import isoformat_z
from spacegate.limits import budgets as budgets_
from spacegate.limits import headers, wire
from spacegate.limits.backends import (
    Admission,
    BudgetItem,
    BudgetSpec,
    LeaseItem,
    Outcome,
    RateItem,
    Settlement,
)
from spacegate.limits.gcra import Rate
from spacegate.limits.headers import Quota
from spacegate.limits.plan import Plan, PlannedBudget, PlannedRate
from spacegate.limits.service import MAX_CACHED, LimitService, Seeder

if TYPE_CHECKING:
    from spacegate.gateway.call import Call

log = logging.getLogger(__name__)

#: Completion tokens reserved for a call that sets no ``max_tokens`` (settled to the real figure).
DEFAULT_COMPLETION_RESERVE = 1024
#: A concurrency slot is given back after this long even if its call never ended (a crash).
LEASE_S = 900.0
_PERIOD_WORD = {"day": "daily", "week": "weekly", "month": "monthly"}


_PlanKey = tuple[uuid.UUID, uuid.UUID]  # entitlement, API key
#: A plan in the making: the generation and entitlement limits it is made from, and the plan.
_Flight = tuple[int, object, "asyncio.Future[Plan]"]


@dataclass(slots=True)
class Ticket:
    """What an admitted call holds until it settles."""

    plan: Plan
    on_primary: bool
    tokens_reserved: int
    #: What the call's token budgets hold for it (an upper bound, see the module's docstring).
    budget_tokens_reserved: int
    cost_reserved: float
    lease: tuple[str, str] | None
    headers: dict[str, str]


class GatewayLimiter:
    def __init__(self, limits: LimitService) -> None:
        self.limits = limits
        self._bus = limits.runtime.bus
        #: (entitlement, API key) -> its plan; see ``limits.plan`` for when one is made again.
        self._plans: dict[_PlanKey, Plan] = {}
        self._making: dict[_PlanKey, _Flight] = {}

    async def admit(self, call: Call, body: dict[str, Any], size: int) -> Ticket | None:
        """Reserve what the call (``body``, ``size`` bytes of JSON) may use, or raise the
        refusal (429, 402, 503)."""
        route = call.route
        org_id = call.principal.org_id
        plan = self._plans.get((route.entitlement_id, call.principal.api_key_id))
        now_s = time.time()
        if (
            plan is None
            or plan.source is not route.limits
            or plan.generation != self._bus.generation(org_id)
            or plan.fresh_until <= time.monotonic()
            or plan.until <= now_s
        ):
            plan = await self._plan(call)
        if plan.empty:
            return None
        # A prompt is at most about one token per 4 bytes of its JSON request; over-reserving is
        # refunded when the call settles, under-reserving would let racing calls overspend.
        completion = _completion_reserve(call, body)
        tokens = size // 4 + 1 + completion
        bound = size + completion  # the most it can use: at most a token per byte of request
        rate_costs = [tokens if t else 1 for t in plan.per_token]
        cost = 0.0
        costs: list[float] = []
        budgets: list[BudgetSpec] = []
        for b in plan.budgets:
            if b.kind == "tokens":
                c = float(bound)
            else:
                cost = c = float(cost_of(size, completion, route.input_price, route.output_price))
            costs.append(c)
            budgets.append((b.key, b.limit, c, int(b.end_s - now_s) + budgets_.TTL_MARGIN_S))
        raw = None
        if plan.lease_key is None:
            # The usual call, decided without building the general path's objects.
            shared = self.limits.shared
            if shared is None:
                taken = self.limits.local.take(plan.specs, rate_costs, budgets)
            else:
                check = wire.quick_check(plan.memo, rate_costs, budgets)
                raw = await shared.send(check) if check is not None else None
                taken = wire.quick_answer(raw, len(rate_costs), len(budgets)) if raw else None
            if taken is not None:
                state = plan.header(taken[0], taken[1], costs, now_s)
                fields = {"RateLimit-Policy": plan.policy, "RateLimit": state}
                return Ticket(plan, shared is not None, tokens, bound, cost, None, fields)
        lease = None
        if plan.lease_key is not None and plan.cap is not None:
            lease = LeaseItem(plan.lease_key, plan.cap, uuid.uuid4().hex, LEASE_S)
        req = Admission(
            [
                RateItem(r.key, r.rate, c) if r.item is None else r.item
                for r, c in zip(plan.rates, rate_costs, strict=True)
            ],
            [BudgetItem(*b) for b in budgets],
            lease,
            memo=plan.memo,
        )
        if raw is not None:  # Redis refused it, or a budget needs its seed: nothing was taken
            outcome, on_primary = wire.parse_admit(raw, req), True
            if outcome.missing:
                outcome, on_primary = await self.limits.admit(req, plan.seeders)
        else:
            outcome, on_primary = await self.limits.admit(req, plan.seeders)
        if not outcome.allowed:
            quotas = plan.quotas(outcome, costs, now_s)
            raise _refusal(call, plan, outcome, quotas, costs)
        fields = {"RateLimit-Policy": plan.policy, "RateLimit": plan.state(outcome, costs, now_s)}
        held = (lease.key, lease.lease) if lease is not None else None
        return Ticket(plan, on_primary, tokens, bound, cost, held, fields)

    def settle(self, ticket: Ticket | None, call: Call, usage: Usage | None, status: int) -> None:
        """Correct the reservation to what the call used; off the request path."""
        if ticket is None:
            return
        s = Settlement(lease=ticket.lease)
        if usage is not None or status >= 400:
            # No usage on a failed call: nothing was produced. No usage on a success (a client
            # that hung up before any usage was known): the reservation stands.
            tokens = usage.total_tokens if usage is not None else 0
            reserved = ticket.tokens_reserved
            plan = ticket.plan
            now_s = time.time()
            for r in plan.rates:
                if r.tokens:
                    held = min(reserved, r.rate.limit)
                    if tokens != held:
                        s.rates.append((r.key, r.rate, tokens - held))
            for b in plan.budgets:
                if b.kind == "tokens":
                    held = ticket.budget_tokens_reserved
                    if tokens != held:
                        s.budgets.append((b.key, tokens - held, _ttl(b, now_s)))
                    continue
                spent = 0.0
                if usage is not None:
                    route = call.route
                    spent = float(
                        cost_of(
                            usage.prompt_tokens,
                            usage.completion_tokens,
                            route.input_price,
                            route.output_price,
                        )
                    )
                if spent != ticket.cost_reserved:
                    s.budgets.append((b.key, spent - ticket.cost_reserved, _ttl(b, now_s)))
        self.limits.settle(s, on_primary=ticket.on_primary)

    async def drain(self) -> None:
        await self.limits.drain()

    async def _plan(self, call: Call) -> Plan:
        """A new plan for the call, made once for every call that needs the same one meanwhile
        (when a plan expires under load, every call in flight would otherwise read the same
        limits at once). A call joins a plan in the making only if it is made from the same
        entitlement limits at the same generation (nothing changed since it started)."""
        key = (call.route.entitlement_id, call.principal.api_key_id)
        generation = self._bus.generation(call.principal.org_id)
        flight = self._making.get(key)
        if flight is None or flight[0] != generation or flight[1] is not call.route.limits:
            making = asyncio.ensure_future(self._make_plan(call, generation))
            flight = (generation, call.route.limits, making)
            self._making[key] = flight
            making.add_done_callback(partial(self._made, key, flight))
        return await asyncio.shield(flight[2])

    def _made(self, key: _PlanKey, flight: _Flight, making: asyncio.Future[Plan]) -> None:
        if self._making.get(key) is flight:
            del self._making[key]
        if not making.cancelled():
            making.exception()  # retrieved here: every caller may have gone away

    async def _make_plan(self, call: Call, generation: int) -> Plan:
        lim = self.limits
        principal, route = call.principal, call.route
        org_id, key_id, ent = principal.org_id, principal.api_key_id, route.entitlement_id
        rl = route.limits
        keyl = await lim.key_limits(org_id, key_id)
        token_budget, cost_budget = rl.get("token_budget"), rl.get("cost_budget")
        profile = None
        if lim.scope_all or token_budget or cost_budget:
            profile = await lim.org_profile(org_id)
        # No fresher than the cached limits it was made from.
        fresh_until = lim.fresh_until(org_id, key_id, profile is not None)
        rates: list[PlannedRate] = []
        for w in profile.windows if profile is not None and lim.scope_all else ():
            quota = Quota(f"org-{w.name}", w.limit, w.seconds, 0, 0)
            key = lim.key(org_id, "org", w.seconds)
            item = RateItem(key, w.rate, 1)
            rates.append(PlannedRate(key, w.rate, False, "org", quota, item, _state(quota)))
        for name, limit, is_tokens, scope, owner in (
            ("rpm", rl.get("rpm"), False, "space", ("e", ent)),
            ("tpm", rl.get("tpm"), True, "space", ("e", ent)),
            ("key-rpm", keyl.rpm, False, "key", ("k", key_id)),
            ("key-tpm", keyl.tpm, True, "key", ("k", key_id)),
        ):
            if limit:
                quota = Quota(name, limit, 60, 0, 0, "tokens" if is_tokens else None)
                key, rate = lim.key(org_id, *owner, name[-3:]), Rate(limit, 60)
                fixed = None if is_tokens else RateItem(key, rate, 1)
                rates.append(PlannedRate(key, rate, is_tokens, scope, quota, fixed, _state(quota)))
        budgets: list[PlannedBudget] = []
        until = math.inf
        if profile is not None:
            tz = budgets_.zone(profile.timezone)  # the org's calendar
            now = datetime.now(UTC)
            for kind, spec in (("tokens", token_budget), ("cost", cost_budget)):
                if not spec:
                    continue
                period = str(spec["period"])
                start, end = budgets_.window(period, tz, now)
                key = lim.key(org_id, "b", ent, kind, period, int(start.timestamp()), spec["limit"])
                budgets.append(
                    PlannedBudget(
                        kind,
                        spec,
                        key,
                        float(spec["limit"]),
                        start,
                        end,
                        start.timestamp(),
                        end.timestamp(),
                        self._seeder(call, kind, start),
                    )
                )
                until = min(until, end.timestamp())
        plan = Plan(rl, generation, fresh_until, until, tuple(rates), tuple(budgets))
        if keyl.max_concurrency:
            plan.lease_key, plan.cap = lim.key(org_id, "k", key_id, "conc"), keyl.max_concurrency
        plan.finish()
        if len(self._plans) >= MAX_CACHED:
            self._plans.clear()
        self._plans[(ent, key_id)] = plan
        return plan

    def _seeder(self, call: Call, kind: str, start: datetime) -> Seeder:
        runtime = self.limits.runtime
        org_id, space_id, model_id = call.principal.org_id, call.space_id, call.route.model_id

        async def seed() -> float:
            tokens, spent = await budgets_.used_since(
                runtime.read_sessions, org_id, space_id, model_id, start
            )
            return float(tokens) if kind == "tokens" else float(spent)

        return seed


def _state(quota: Quota) -> str:
    return f'"{quota.name}";r='


def _ttl(b: PlannedBudget, now_s: float) -> int:
    return int(b.end_s - now_s) + budgets_.TTL_MARGIN_S


def _refusal(
    call: Call, plan: Plan, outcome: Outcome, quotas: list[Quota], costs: list[float]
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
            rule="budget",
        )
    if denial == "budget":
        for b, ok, used, c in zip(
            plan.budgets, outcome.budget_ok, outcome.used, costs, strict=True
        ):
            if ok:
                continue
            word = _PERIOD_WORD.get(b.spec["period"], b.spec["period"])
            limit = b.spec["limit"]
            tokens = b.kind == "tokens"
            what = (
                f"{word} token budget of {limit} tokens"
                if tokens
                else f"{word} cost budget of {limit}"
            )
            used_s = f"{int(used)}" if tokens else f"{used:.6f}"
            need = f"{int(c)}" if tokens else f"{c:.6f}"
            tripped = [q for q in quotas if q.name == "token-budget"] if tokens else []
            return GatewayError(
                402,
                f"The {what} for '{alias}' in this space is spent ({used_s} used, this "
                f"request needs up to {need}); it resets at {isoformat_z(b.end)}.",
                code=f"{'token' if tokens else 'cost'}_budget_exhausted",
                headers=headers.fields(quotas, tripped) if tripped else {},
                rule="token_budget" if tokens else "cost_budget",
            )
    if denial == "concurrency":
        return GatewayError(
            429,
            f"Too many concurrent requests for this API key (limit {plan.cap}). "
            "Retry after 1 seconds.",
            code="concurrency_limit_exceeded",
            headers={"Retry-After": "1"},
            rule="key-concurrency",
        )
    tripped_r = [r for r, st in zip(plan.rates, outcome.rates, strict=True) if not st.allowed]
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
        rule=",".join(r.quota.name for r in tripped_r),
    )


def _describe(r: PlannedRate, alias: str) -> str:
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


#: What a call reserves for its completion (also what the crash journal settles it at).
completion_reserve = _completion_reserve

__all__ = ["GatewayLimiter", "Ticket", "completion_reserve"]
