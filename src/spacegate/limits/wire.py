"""The Redis backend's commands and replies as bytes on the wire (RESP), built by hand.

A check is one ``EVALSHA`` of ``lua.LUA_ADMIT`` whose arguments put what never changes for a given
plan first (keys, rates, limits, caps) and what every call brings last (costs, seeds, TTLs, the
lease id). The first part is encoded once per plan and kept in the admission's ``memo``; a call
only encodes its own few numbers. The script answers with one space-separated string, split here
without decoding.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from spacegate.limits.backends import Admission, Outcome, RateState, Settlement
from spacegate.limits.lua import LUA_ADMIT, LUA_SETTLE


def _sha(script: str) -> bytes:
    return hashlib.sha1(script.encode()).hexdigest().encode()  # noqa: S324  (Redis names scripts so)


ADMIT_SHA, SETTLE_SHA = _sha(LUA_ADMIT), _sha(LUA_SETTLE)
_MEMO = "redis"


def pack(args: Sequence[bytes]) -> bytes:
    """One command in RESP: an array of bulk strings."""
    return b"*%d\r\n" % len(args) + _bulks(args)


def _bulks(args: Sequence[bytes]) -> bytes:
    return b"".join([b"$%d\r\n%s\r\n" % (len(a), a) for a in args])


def _num(value: float) -> bytes:
    return b"%r" % float(value)


def admit_command(req: Admission) -> bytes:
    memo = req.memo
    head = memo.get(_MEMO) if memo is not None else None
    if head is None:
        head = _admit_head(req)
        if memo is not None:
            memo[_MEMO] = head
    tail: list[bytes] = [_num(r.cost) for r in req.rates]
    for b in req.budgets:
        tail += [_num(b.cost), b"" if b.seed is None else _num(b.seed), b"%d" % b.ttl]
    if req.lease is not None:
        tail.append(req.lease.lease.encode())
    return head + _bulks(tail)


def _admit_head(req: Admission) -> bytes:
    """Everything up to the per-call arguments, array length included (so only their count
    must stay the same for a given memo, which it does: one per rate, three per budget...)."""
    keys = [r.key.encode() for r in req.rates] + [b.key.encode() for b in req.budgets]
    if req.lease is not None:
        keys.append(req.lease.key.encode())
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
    tail = len(req.rates) + 3 * len(req.budgets) + (1 if req.lease else 0)
    words = [b"EVALSHA", ADMIT_SHA, b"%d" % len(keys), *keys, *args]
    return b"*%d\r\n" % (len(words) + tail) + _bulks(words)


def settle_commands(settlements: list[Settlement]) -> list[bytes]:
    """One command per org (one hash tag: one Redis Cluster slot), keeping their order."""
    by_org: dict[str, list[Settlement]] = {}
    for s in settlements:
        by_org.setdefault(_tag(s), []).append(s)
    commands = []
    for group in by_org.values():
        rate_keys: list[bytes] = []
        budget_keys: list[bytes] = []
        lease_keys: list[bytes] = []
        args: list[bytes] = []
        budget_args: list[bytes] = []
        lease_args: list[bytes] = []
        for s in group:
            for key, rate, delta in s.rates:
                rate_keys.append(key.encode())
                args += [_num(rate.limit), _num(rate.period), _num(delta)]
            for key, change, ttl in s.budgets:
                budget_keys.append(key.encode())
                budget_args += [_num(change), b"%d" % ttl]
            if s.lease is not None:
                lease_keys.append(s.lease[0].encode())
                lease_args.append(s.lease[1].encode())
        keys = rate_keys + budget_keys + lease_keys
        head = [b"%d" % len(rate_keys), b"%d" % len(budget_keys), b"%d" % len(lease_keys), b"0"]
        commands.append(
            pack(
                [
                    b"EVALSHA",
                    SETTLE_SHA,
                    b"%d" % len(keys),
                    *keys,
                    *head,
                    *args,
                    *budget_args,
                    *lease_args,
                ]
            )
        )
    return commands


def charges(s: Settlement) -> bool:
    return any(d > 0 for _, _, d in s.rates) or any(d > 0 for _, d, _ in s.budgets)


def _tag(s: Settlement) -> str:
    key = s.rates[0][0] if s.rates else s.budgets[0][0] if s.budgets else s.lease[0]  # type: ignore[index]
    start = key.find("{")
    end = key.find("}", start + 1)
    return key[start : end + 1] if start >= 0 and end > start else ""


def parse_admit(raw: bytes | str, req: Admission) -> Outcome:
    items = (raw.encode() if isinstance(raw, str) else raw).split(b" ")
    status, pos = items[0], 1
    ok = status == b"ok"
    out = Outcome(allowed=ok)
    for _ in req.rates:
        flag, after, before, retry, reset = items[pos : pos + 5]
        pos += 5
        out.rates.append(
            RateState(flag == b"1", int(float(after if ok else before)), float(retry), float(reset))
        )
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
