"""The gateway's quick path to Redis says and reads exactly what the general path does: the same
bytes for the same call, the same numbers from the same answer."""

from __future__ import annotations

from typing import Any

from spacegate.limits import wire
from spacegate.limits.backends import Admission, BudgetItem, RateItem
from spacegate.limits.gcra import Rate

RPM, TPM = Rate(60, 60), Rate(1000, 60)


def _req(memo: dict[str, Any], tokens: int, ttl: int) -> Admission:
    return Admission(
        [RateItem("sg:{o}:r", RPM, 1), RateItem("sg:{o}:t", TPM, tokens)],
        [BudgetItem("sg:{o}:b", 5000.0, float(tokens), ttl)],
        memo=memo,
    )


def test_a_quick_check_is_the_same_command_as_the_general_one() -> None:
    memo: dict[str, Any] = {}
    budgets = [("sg:{o}:b", 5000.0, 37.0, 86_400)]
    assert wire.quick_check(memo, [1, 37], budgets) is None  # no plan encoded yet
    general = wire.check(_req(memo, 37, 86_400))
    quick = wire.quick_check(memo, [1, 37], budgets)
    assert quick == general
    # And in a batch, next to other checks of the same plan.
    other = wire.check(_req(memo, 5, 80))
    assert quick is not None
    assert wire.commands([], [quick, other]) == wire.commands([], [general, other])


def test_a_quick_answer_reads_like_parse_admit() -> None:
    req = _req({}, 37, 60)
    admitted = b"ok 59 2 962 1 120"  # per rate: left and seconds to full; per budget: used
    out = wire.parse_admit(admitted, req)
    assert [(r.allowed, r.remaining, r.reset_after) for r in out.rates] == [
        (True, 59, 2.0),
        (True, 962, 1.0),
    ]
    assert out.allowed and out.used == [120.0] and out.budget_ok == [True]
    assert wire.quick_answer(admitted, 2, 1) == (["59", "2", "962", "1"], [120.0])
    # Anything but an admission is left to parse_admit (and nothing was taken).
    refused = b"no 1 1.25 0 59.5 1 120"
    assert wire.quick_answer(refused, 2, 1) is None
    out = wire.parse_admit(refused, req)
    assert not out.allowed and [r.allowed for r in out.rates] == [True, False]
    assert wire.quick_answer(b"seed 1 1.25 1 3.125 1 0 0", 2, 1) is None
