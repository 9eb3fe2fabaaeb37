"""The Redis backend's commands and replies as bytes on the wire (RESP), built by hand.

One ``EVALSHA`` of ``lua.LUA_BATCH`` per org and pipeline carries that org's queued settlements
and checks (the script's docstring gives the layout). A check's part is split in two: its
*plan* (keys, counts, rates, limits and caps: the same for every call made from one
entitlement and key) is encoded once and kept in the admission's ``memo``, and sent once per
batch however many of the batch's checks share it; a call only encodes its own few numbers
(costs, seeds, TTLs, the lease id). Settlements are merged per key where that changes nothing
(``_merged``). The script answers with one line per check, split here without decoding.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from typing import Any, NamedTuple

from spacegate.limits.backends import (
    Admission,
    BudgetSpec,
    Outcome,
    RateState,
    Settlement,
    Taken,
)
from spacegate.limits.gcra import Rate
from spacegate.limits.lua import LUA_BATCH


def _sha(script: str) -> bytes:
    return hashlib.sha1(script.encode()).hexdigest().encode()  # noqa: S324  (Redis names scripts so)


BATCH_SHA = _sha(LUA_BATCH)
_MEMO = "redis"
#: At most this many checks in one script run (a longer batch is split, in order): one run
#: blocks Redis while it lasts.
MAX_CHECKS = 256


#: What a check's part holds whatever the call (its plan): its tag, keys and leading arguments,
#: encoded, with their counts.
Fixed = tuple[str, bytes, int, bytes, int]


class Check(NamedTuple):
    """One call's part of a batch: its plan's part (shared by the checks of one plan) and its
    own arguments, encoded."""

    tag: str
    fixed: Fixed
    args: bytes
    nargs: int


class Command(NamedTuple):
    """One ``EVALSHA`` of a pipeline: whether it carries settlements, and which checks (their
    places in the pipeline's queue), in order."""

    data: bytes
    settles: bool
    checks: list[int]


def pack(args: Sequence[bytes]) -> bytes:
    """One command in RESP: an array of bulk strings."""
    return b"*%d\r\n" % len(args) + _bulks(args)


def _bulks(args: Sequence[bytes]) -> bytes:
    return b"".join([b"$%d\r\n%s\r\n" % (len(a), a) for a in args])


def _num(value: float) -> bytes:
    """A number as Lua's ``tonumber`` reads it back exactly (the same few recur: kept)."""
    got = _NUMS.get(value)
    if got is None:
        if len(_NUMS) >= 4096:
            _NUMS.clear()
        got = _NUMS[value] = b"%r" % float(value)
    return got


_NUMS: dict[float, bytes] = {}
#: Whole bulk strings (``$len\r\n...\r\n``) of numbers as ``_num`` writes them, of whole
#: seconds and of keys: what checks and batches are made of (costs, TTLs and keys recur).
_BULK_NUMS: dict[float, bytes] = {}
_BULK_INTS: dict[int, bytes] = {}
_BULK_KEYS: dict[str, bytes] = {}
_NO_SEED = b"$0\r\n\r\n"


def _remember(cache: dict[Any, bytes], value: Any, raw: bytes) -> bytes:
    """``raw`` as a bulk string, kept in ``cache`` under ``value`` (read the cache first)."""
    if len(cache) >= 4096:
        cache.clear()
    got = cache[value] = _bulks([raw])
    return got


def check(req: Admission) -> Check:
    memo = req.memo
    fixed: Fixed | None = memo.get(_MEMO) if memo is not None else None
    if fixed is None:
        fixed = _fixed(req)
        if memo is not None:
            memo[_MEMO] = fixed
    tail: list[bytes] = [_num(r.cost) for r in req.rates]
    for b in req.budgets:
        tail += [_num(b.cost), b"" if b.seed is None else _num(b.seed), b"%d" % b.ttl]
    if req.lease is not None:
        tail.append(req.lease.lease.encode())
    return Check(fixed[0], fixed, _bulks(tail), len(tail))


def quick_check(
    memo: dict[str, Any], costs: Sequence[float], budgets: Sequence[BudgetSpec]
) -> Check | None:
    """``check`` of an admission made from the plan whose ``memo`` this is, with these rate
    costs and budgets (no seeds, no lease), without building the admission; None until a
    ``check`` of that plan has filled the memo."""
    fixed: Fixed | None = memo.get(_MEMO)
    if fixed is None:
        return None
    nums, ints = _BULK_NUMS, _BULK_INTS
    parts = [nums.get(c) or _remember(nums, c, _num(c)) for c in costs]
    for _, _, cost, ttl in budgets:
        parts += (
            nums.get(cost) or _remember(nums, cost, _num(cost)),
            _NO_SEED,
            ints.get(ttl) or _remember(ints, ttl, b"%d" % ttl),
        )
    return Check(fixed[0], fixed, b"".join(parts), len(parts))


def quick_answer(raw: bytes, rates: int, budgets: int) -> Taken | None:
    """An admitted check's answer as ``InProcessBackend.take`` gives it; None for any other
    answer (read that one with ``parse_admit``)."""
    if raw[:3] != b"ok ":
        return None
    items = raw.decode().split(" ")
    end = 1 + 2 * rates
    return items[1:end], [float(v) for v in items[end : end + budgets]]


def _fixed(req: Admission) -> Fixed:
    keys = [r.key for r in req.rates] + [b.key for b in req.budgets]
    if req.lease is not None:
        keys.append(req.lease.key)
    args = [
        b"%d" % len(req.rates),
        b"%d" % len(req.budgets),
        b"1" if req.lease else b"0",
        b"1" if req.dry_run else b"0",
    ]
    for r in req.rates:
        args += [_num(r.rate.limit), _num(r.rate.period)]
    args += [_num(b.limit) for b in req.budgets]
    if req.lease is not None:
        args += [b"%d" % req.lease.cap, _num(req.lease.lease_s)]
    tag = tag_of(keys[0]) if keys else ""
    return tag, _bulks([k.encode() for k in keys]), len(keys), _bulks(args), len(args)


def commands(settlements: list[Settlement], checks: list[Check]) -> list[Command]:
    """The pipeline: one command per org (one hash tag: one Redis Cluster slot), in the order
    orgs first appear; within an org, its settlements and then its checks, in queued order."""
    groups: dict[str, tuple[list[Settlement], list[int]]] = {}
    for s in settlements:
        tag = _tag(s)
        group = groups.get(tag)
        if group is None:
            group = groups[tag] = ([], [])
        group[0].append(s)
    for i, c in enumerate(checks):
        group = groups.get(c.tag)
        if group is None:
            group = groups[c.tag] = ([], [])
        group[1].append(i)
    out = []
    for queued, places in groups.values():
        for start in range(0, max(len(places), 1), MAX_CHECKS):
            part = places[start : start + MAX_CHECKS]
            settles = bool(queued) and start == 0
            data = _batch(queued if settles else [], [checks[i] for i in part])
            out.append(Command(data, settles, part))
    return out


def _batch(settlements: list[Settlement], checks: list[Check]) -> bytes:
    """One ``EVALSHA``, written as RESP bulk strings straight away (numbers and keys that
    recur come ready-made from the ``_BULK_*`` caches)."""
    nums, known = _BULK_NUMS, _BULK_KEYS
    keys: list[bytes] = []
    args: list[bytes] = []
    rates, budgets = _merged(settlements)
    nr = 0
    for key, runs in rates.items():
        bulk = known.get(key) or _remember(known, key, key.encode())
        for rate, delta in runs:
            keys.append(bulk)
            args += (
                nums.get(rate.limit) or _remember(nums, rate.limit, _num(rate.limit)),
                nums.get(rate.period) or _remember(nums, rate.period, _num(rate.period)),
                nums.get(delta) or _remember(nums, delta, _num(delta)),
            )
            nr += 1
    for key, change in budgets.items():
        keys.append(known.get(key) or _remember(known, key, key.encode()))
        args.append(nums.get(change) or _remember(nums, change, _num(change)))
    leases = [s.lease for s in settlements if s.lease is not None]
    if leases:
        keys += [_bulks([key.encode()]) for key, _ in leases]
        args += [_bulks([lease.encode()]) for _, lease in leases]
    nl = len(leases)
    # Each plan once (the checks sharing one share its ``Fixed``), then each check by number.
    plans: dict[int, int] = {}
    plan_keys: list[bytes] = []
    plan_args: list[bytes] = []
    own: list[bytes] = []
    nkeys, nargs = len(keys), 5 + len(args)
    for c in checks:
        fixed = c.fixed
        number = plans.get(id(fixed))
        if number is None:
            number = plans[id(fixed)] = len(plans) + 1
            plan_keys.append(fixed[1])
            plan_args.append(fixed[3])
            nkeys += fixed[2]
            nargs += fixed[4]
        own += (_count(number), c.args)
        nargs += 1 + c.nargs
    head = (_count(nr), _count(len(budgets)), _count(nl), _count(len(plans)), _count(len(checks)))
    return b"".join(
        [
            b"*%d\r\n" % (3 + nkeys + nargs),
            _EVALSHA,
            _count(nkeys),
            *keys,
            *plan_keys,
            *head,
            *args,
            *plan_args,
            *own,
        ]
    )


def _count(n: int) -> bytes:
    return _NUMBERS[n] if n < len(_NUMBERS) else _bulks([b"%d" % n])


_EVALSHA = _bulks([b"EVALSHA", BATCH_SHA])
_NUMBERS = [_bulks([b"%d" % i]) for i in range(4 * MAX_CHECKS + 1)]


def _merged(
    settlements: list[Settlement],
) -> tuple[dict[str, list[tuple[Rate, float]]], dict[str, float]]:
    """The settlements' corrections, per key, in as few steps as give the same result: keys do
    not interact, so only each key's own order matters; one key's consecutive corrections of one
    sign (and one rate) add up to one (refunds floor at a full bucket, charges start from
    one), and a budget's corrections to one sum."""
    rates: dict[str, list[tuple[Rate, float]]] = {}
    budgets: dict[str, float] = {}
    for s in settlements:
        for key, rate, delta in s.rates:
            runs = rates.get(key)
            if runs is None:
                rates[key] = [(rate, delta)]
                continue
            last_rate, last = runs[-1]
            if (last_rate is rate or last_rate == rate) and (last > 0) == (delta > 0):
                runs[-1] = (last_rate, last + delta)
            else:
                runs.append((rate, delta))
        for key, change, _ in s.budgets:
            budgets[key] = budgets.get(key, 0.0) + change
    return rates, budgets


def answers(raw: bytes | str | int) -> list[bytes]:
    """A batch's answer: one reply per check."""
    if isinstance(raw, int):
        return []
    data = raw.encode() if isinstance(raw, str) else raw
    return data.split(b"\n") if data else []


def charges(s: Settlement) -> bool:
    for _, _, d in s.rates:
        if d > 0:
            return True
    for _, d, _ in s.budgets:  # noqa: SIM110  (a loop: cheaper than a generator, every call)
        if d > 0:
            return True
    return False


def tag_of(key: str) -> str:
    start = key.find("{")
    end = key.find("}", start + 1)
    return key[start : end + 1] if start >= 0 and end > start else ""


def _tag(s: Settlement) -> str:
    key = s.rates[0][0] if s.rates else s.budgets[0][0] if s.budgets else s.lease[0]  # type: ignore[index]
    return tag_of(key)


def parse_admit(raw: bytes, req: Admission) -> Outcome:
    """One check's answer. An admitted call (not a dry run) is ``ok``, then per rate the whole
    units left and whole seconds until it is full again, then per budget its total before the
    call. Otherwise: ``ok`` (a dry run), ``no`` or ``seed``; per rate whether it passed and its
    TAT less now (after the call if it passed, before it if not: the rest follows from the
    rate, as in ``gcra.decide``); per budget whether it fits and its total before the call;
    whether the concurrency cap has room; then, for ``seed``, the budgets that need one."""
    items = raw.split(b" ")
    status, pos = items[0], 1
    ok = status == b"ok"
    out = Outcome(allowed=ok)
    if ok and not req.dry_run:
        for _ in req.rates:
            out.rates.append(RateState(True, int(items[pos]), 0.0, float(items[pos + 1])))
            pos += 2
        out.used = [float(v) for v in items[pos : pos + len(req.budgets)]]
        out.budget_ok = [True] * len(req.budgets)
        return out
    for item in req.rates:
        passed, ahead = items[pos] == b"1", float(items[pos + 1])
        pos += 2
        period, limit = item.rate.period, item.rate.limit
        interval = period / limit
        if passed and ok:
            out.rates.append(RateState(True, _whole((period - ahead) / interval), 0.0, ahead))
            continue
        cost = item.cost if item.cost < limit else limit
        if passed:  # the call was refused by another limit: this one is left as it was
            left = _whole((period - (ahead - cost * interval)) / interval)
            out.rates.append(RateState(True, left, 0.0, ahead))
        else:
            retry = ahead + cost * interval - period
            out.rates.append(RateState(False, _whole((period - ahead) / interval), retry, ahead))
    for _ in req.budgets:
        out.budget_ok.append(items[pos] == b"1")
        out.used.append(float(items[pos + 1]))
        pos += 2
    if req.lease is not None:
        out.lease_ok = items[pos] == b"1"
        pos += 1
    if status == b"seed":
        out.missing = [int(v) for v in items[pos:]]
    return out


def _whole(units: float) -> int:
    w = math.floor(units + 1e-6)
    return w if w > 0 else 0
