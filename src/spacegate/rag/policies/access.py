"""The ``access`` policy: every access policy of an endpoint is one rule set; the most specific
matching rule decides, a deny wins a tie, and allow rules refuse whoever none of them names."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase

from spacegate.errors import Forbidden
from spacegate.models import RagPolicy
from spacegate.rag.policies import Caller, Entry

_KEY = 100_000  # a rule naming the key itself beats any email pattern


def specificity(pattern: str, email: str) -> int | None:
    """How specific ``pattern`` is if it matches ``email`` (None: it does not)."""
    pattern, email = pattern.lower(), email.lower()
    if not fnmatchcase(email, pattern):
        return None
    if not any(c in pattern for c in "*?["):
        return 10_000 + len(pattern)
    return sum(1 for c in pattern if c not in "*?[]")


def blocked(policy: str, reason: str) -> Forbidden:
    body = json.dumps({"policy": policy, "reason": reason})
    return Forbidden(f"Policy 'access' blocked request: {body}", code="policy_blocked")


def check(policies: list[RagPolicy], caller: Caller) -> list[Entry]:
    """The entries of the decision; raises 403 (with them) when the caller is refused."""
    if not policies:
        return []
    best: tuple[int, bool, RagPolicy, str] | None = None  # specificity, is_deny, policy, rule
    has_allow = False
    for p in policies:
        conf = p.configuration
        has_allow = has_allow or bool(conf.get("allow") or conf.get("allow_api_keys"))
        rules: list[tuple[int | None, bool, str]] = []
        key = str(caller.api_key_id)
        rules += [
            (_KEY if k == key else None, False, f"key {k}") for k in conf.get("allow_api_keys", [])
        ]
        rules += [
            (_KEY if k == key else None, True, f"key {k}") for k in conf.get("deny_api_keys", [])
        ]
        if caller.email:
            rules += [(specificity(g, caller.email), False, g) for g in conf.get("allow", [])]
            rules += [(specificity(g, caller.email), True, g) for g in conf.get("deny", [])]
        for score, deny, rule in rules:
            if score is None:
                continue
            if best is None or (score, deny) > (best[0], best[1]):
                best = (score, deny, p, rule)
    first = policies[0]
    if best is None:
        if not has_allow:
            return [Entry(first.id, first.name, "access", "pre", "allowed", "no rule matched")]
        reason = "the caller matches no allow rule"
        entry = Entry(first.id, first.name, "access", "pre", "blocked", reason)
        raise _with(blocked(first.name, reason), entry)
    _, deny, p, rule = best
    if deny:
        reason = f"denied by '{rule}'"
        raise _with(
            blocked(p.name, reason), Entry(p.id, p.name, "access", "pre", "blocked", reason)
        )
    return [Entry(p.id, p.name, "access", "pre", "allowed", f"allowed by '{rule}'")]


def _with(exc: Forbidden, entry: Entry) -> Forbidden:
    from spacegate.rag.policies import metadata

    exc.extra = {**(exc.extra or {}), "policy_metadata": metadata([entry])}
    return exc
