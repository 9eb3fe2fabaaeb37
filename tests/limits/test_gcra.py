"""The limiter against a reference model, under a fake clock.

The reference is a plain token bucket in exact rational arithmetic: capacity ``limit``, refilled
continuously at ``limit / period`` per second, starting full; a call of cost ``c`` passes when at
least ``min(c, limit)`` tokens are there; settling adds or refunds tokens (never above capacity,
possibly below zero: a debt). The limiter (GCRA in floating point) must agree on every decision,
on what it reports as remaining, and on when a refused call would pass; and a call sent once the
advertised ``Retry-After`` has elapsed must pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from spacegate.limits import headers
from spacegate.limits.backends import Admission, InProcessBackend, RateItem, Settlement
from spacegate.limits.gcra import Rate


@dataclass
class Bucket:
    limit: int
    period: int
    tokens: Fraction
    at: Fraction

    def refill(self, now: Fraction) -> None:
        self.tokens = min(
            Fraction(self.limit), self.tokens + (now - self.at) * self.limit / self.period
        )
        self.at = now

    def take(self, now: Fraction, cost: int) -> tuple[bool, Fraction]:
        """Admitted?, and (if not) seconds until it would be."""
        self.refill(now)
        need = min(cost, self.limit)
        if self.tokens >= need:
            self.tokens -= need
            return True, Fraction(0)
        return False, (need - self.tokens) * self.period / self.limit

    def settle(self, now: Fraction, delta: int) -> None:
        self.refill(now)
        self.tokens = min(Fraction(self.limit), self.tokens - delta)

    def change(self, now: Fraction, limit: int) -> None:
        """An admin sets a new limit: the tokens used so far stay used, but a lowered limit
        never leaves more owed than a full bucket (or than was owed before, after an overflow
        was charged)."""
        self.refill(now)
        used = self.limit - self.tokens
        if used > 0:
            used = min(used, max(Fraction(limit), used * limit / self.limit))
        self.limit, self.tokens = limit, limit - max(used, Fraction(0))


class FakeClock:
    def __init__(self) -> None:
        self.ms = 0

    def __call__(self) -> float:
        return self.ms / 1000


steps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5_000),  # ms since the previous step
        st.integers(min_value=1, max_value=12),  # cost
        st.integers(min_value=-12, max_value=12),  # settlement after an admitted call
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(
    limit=st.integers(min_value=1, max_value=1000),
    period=st.sampled_from([1, 2, 10, 60, 3600]),
    script=steps,
)
def test_gcra_matches_a_token_bucket(
    limit: int, period: int, script: list[tuple[int, int, int]]
) -> None:
    clock = FakeClock()
    backend = InProcessBackend(clock)
    rate = Rate(limit, period)
    ref = Bucket(limit, period, Fraction(limit), Fraction(0))
    for gap, cost, settle in script:
        clock.ms += gap
        now = Fraction(clock.ms, 1000)
        out = backend.admit_now(Admission(rates=[RateItem("k", rate, cost)]))
        state = out.rates[0]
        ok, wait = ref.take(now, cost)
        assert out.allowed == ok
        assert state.remaining == max(math.floor(ref.tokens), 0)
        if ok:
            if settle:
                backend.settle_now(Settlement(rates=[("k", rate, settle)]))
                ref.settle(now, settle)
            continue
        assert math.isclose(state.retry_after, float(wait), rel_tol=1e-9, abs_tol=1e-6)
        # Honouring Retry-After (whole seconds, rounded up) is never too early.
        probe = InProcessBackend(clock)
        probe.tats = dict(backend.tats)
        saved = clock.ms
        clock.ms += headers.retry_after(state.retry_after) * 1000
        assert probe.admit_now(Admission(rates=[RateItem("k", rate, cost)])).allowed
        clock.ms = saved


@settings(max_examples=300, deadline=None)
@given(
    limits=st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=4),
    period=st.sampled_from([1, 10, 60]),
    script=st.lists(
        st.tuples(
            st.integers(0, 5_000), st.integers(1, 12), st.integers(-12, 12), st.integers(0, 9)
        ),
        min_size=1,
        max_size=60,
    ),
)
def test_a_changed_limit_carries_the_units_used_over(
    limits: list[int], period: int, script: list[tuple[int, int, int, int]]
) -> None:
    """The limit of one key changes between calls (an admin edits it): the limiter keeps
    agreeing with the token bucket whose used tokens carry over, through the general path, the
    quick path and settlements."""
    clock = FakeClock()
    backend = InProcessBackend(clock)
    ref = Bucket(limits[0], period, Fraction(limits[0]), Fraction(0))
    for gap, cost, settle, pick in script:
        clock.ms += gap
        now = Fraction(clock.ms, 1000)
        limit = limits[pick % len(limits)]
        if limit != ref.limit:
            ref.change(now, limit)
        rate = Rate(limit, period)
        ok, _ = ref.take(now, cost)
        if pick % 2:
            out = backend.admit_now(Admission(rates=[RateItem("k", rate, cost)]))
            assert out.allowed == ok
            assert out.rates[0].remaining == max(math.floor(ref.tokens), 0)
        else:
            spec = ("k", rate.limit, rate.period, rate.interval)
            taken = backend.take([spec], [cost], [])
            assert (taken is not None) == ok
            if taken is not None:
                assert taken[0][0] == max(math.floor(ref.tokens), 0)
        if ok and settle:
            backend.settle_now(Settlement(rates=[("k", rate, settle)]))
            ref.settle(now, settle)


def test_raising_an_exhausted_limit_frees_the_difference_at_once() -> None:
    clock = FakeClock()
    backend = InProcessBackend(clock)

    def call(limit: int) -> tuple[bool, int, float]:
        out = backend.admit_now(Admission(rates=[RateItem("k", Rate(limit, 60), 1)]))
        return out.allowed, out.rates[0].remaining, out.rates[0].retry_after

    assert call(2)[:2] == (True, 1) and call(2)[:2] == (True, 0)
    assert not call(2)[0]
    assert call(50) == (True, 47, 0.0)  # 2 used before, this one: 47 of 50 left
    for _ in range(47):
        assert call(50)[0]
    refused, left, wait = call(10)  # lowered below what was used: full, one interval to wait
    assert (refused, left) == (False, 0) and math.isclose(wait, 6.0)


@settings(max_examples=200, deadline=None)
@given(
    burst=st.integers(min_value=1, max_value=50),
    period=st.sampled_from([1, 10, 60]),
    gaps=st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=300),
)
def test_no_window_edge_admits_more_than_burst_plus_rate(
    burst: int, period: int, gaps: list[int]
) -> None:
    """Over any stretch of time T, at most ``burst + rate * T`` calls pass (no 2x at an edge)."""
    clock = FakeClock()
    backend = InProcessBackend(clock)
    rate = Rate(burst, period)
    admitted: list[int] = []
    for gap in gaps:
        clock.ms += gap
        if backend.admit_now(Admission(rates=[RateItem("k", rate, 1)])).allowed:
            admitted.append(clock.ms)
    for i, start in enumerate(admitted):
        for j in range(i, len(admitted)):
            span = Fraction(admitted[j] - start, 1000)
            assert j - i + 1 <= burst + span * burst / period


def test_a_refused_multi_window_check_takes_nothing() -> None:
    """All limits of a call pass together or none is charged (a refusal costs no quota)."""
    clock = FakeClock()
    backend = InProcessBackend(clock)
    hour, minute = Rate(1000, 3600), Rate(2, 60)
    items = [RateItem("h", hour, 1), RateItem("m", minute, 1)]
    assert backend.admit_now(Admission(rates=items)).allowed
    assert backend.admit_now(Admission(rates=items)).allowed
    refused = backend.admit_now(Admission(rates=items))
    assert not refused.allowed
    assert refused.rates[0].allowed and not refused.rates[1].allowed
    assert math.isclose(refused.rates[1].retry_after, 30.0)
    assert refused.rates[0].remaining == 998  # the hour window was not charged for the refusal


def test_budget_admits_only_what_fits_and_settles() -> None:
    from spacegate.limits.backends import BudgetItem

    backend = InProcessBackend(FakeClock())
    need_seed = backend.admit_now(Admission(budgets=[BudgetItem("b", 100, 60, 3600)]))
    assert need_seed.missing == [0] and not need_seed.allowed
    assert backend.admit_now(Admission(budgets=[BudgetItem("b", 100, 60, 3600, seed=10)])).allowed
    second = backend.admit_now(Admission(budgets=[BudgetItem("b", 100, 60, 3600)]))
    assert not second.allowed and second.used == [70]
    backend.settle_now(Settlement(budgets=[("b", -50, 3600)]))  # the call used 10, not 60
    assert backend.admit_now(Admission(budgets=[BudgetItem("b", 100, 60, 3600)])).allowed


@settings(max_examples=200, deadline=None)
@given(
    limits=st.tuples(st.integers(1, 20), st.integers(5, 200)),
    budget=st.integers(10, 400),
    script=st.lists(
        st.tuples(
            st.integers(0, 90_000),  # ms since the previous call
            st.integers(1, 30),  # the call's tokens
            st.integers(-30, 30),  # its settlement, when admitted
        ),
        min_size=1,
        max_size=50,
    ),
)
def test_the_quick_path_decides_like_the_general_one(
    limits: tuple[int, int], budget: int, script: list[tuple[int, int, int]]
) -> None:
    """``take`` (the usual call, no objects built) against ``admit_now`` on a twin limiter: the
    same calls pass, with the same numbers for the client, and both are left in the same
    state. Where ``take`` declines (a refusal, an unseeded budget) nothing is taken and the
    general path answers, as the gateway does."""
    from spacegate.limits.backends import BudgetItem

    clock = FakeClock()
    quick, general = InProcessBackend(clock), InProcessBackend(clock)
    rpm, tpm = Rate(limits[0], 60), Rate(limits[1], 60)
    specs = [("r", rpm.limit, rpm.period, rpm.interval), ("t", tpm.limit, tpm.period, tpm.interval)]
    for gap, tokens, settle in script:
        clock.ms += gap
        req = Admission(
            rates=[RateItem("r", rpm, 1), RateItem("t", tpm, tokens)],
            budgets=[BudgetItem("b", budget, tokens, 3600, seed=0)],
        )
        before = (dict(quick.tats), dict(quick.totals))
        taken = quick.take(specs, [1, tokens], [("b", budget, tokens, 3600)])
        want = general.admit_now(req)
        if taken is None:
            # Declined only for a refusal or a budget seen for the first time; nothing taken.
            assert not want.allowed or "b" not in before[1]
            assert (quick.tats, quick.totals) == before
            got = quick.admit_now(req)
            assert (got.allowed, got.used) == (want.allowed, want.used)
        else:
            assert want.allowed
            rates = [(s.remaining, max(math.ceil(s.reset_after - 1e-9), 0)) for s in want.rates]
            assert taken == ([n for pair in rates for n in pair], want.used)
        assert quick.tats == general.tats and quick.totals == general.totals
        if want.allowed and settle:
            s = Settlement(rates=[("t", tpm, settle)], budgets=[("b", settle, 3600)])
            quick.settle_now(s)
            general.settle_now(s)
