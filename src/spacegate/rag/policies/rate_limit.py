"""The ``rate_limit`` policy on the platform's limiter: exact across replicas with Redis (one
atomic check of every applicable policy: all of them must admit the query, AND across them)."""

from __future__ import annotations

import math
import uuid
from fnmatch import fnmatchcase

from spacegate.errors import AppError
from spacegate.limits.backends import Admission, RateItem
from spacegate.limits.gcra import Rate
from spacegate.limits.service import LimitService
from spacegate.models import RagPolicy
from spacegate.rag.policies import Caller, Entry, metadata

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(AppError):
    status_code = 429
    code = "rate_limited"


def parse(limit: str) -> Rate:
    count, unit = limit.split("/")
    return Rate(float(count), float(PERIODS[unit]))


def applies(policy: RagPolicy, caller: Caller) -> bool:
    globs = policy.configuration.get("applied_to") or ["*"]
    if "*" in globs:
        return True
    return caller.email is not None and any(
        fnmatchcase(caller.email.lower(), g.lower()) for g in globs
    )


def subject(policy: RagPolicy, caller: Caller) -> str:
    if policy.configuration.get("scope") == "global":
        return "all"
    return f"user:{caller.user_id}" if caller.email else f"key:{caller.api_key_id}"


async def check(
    limits: LimitService, org_id: uuid.UUID, policies: list[RagPolicy], caller: Caller
) -> list[Entry]:
    chosen = [p for p in policies if applies(p, caller)]
    entries = [
        Entry(p.id, p.name, "rate_limit", "pre", "skipped", "not applied to this caller")
        for p in policies
        if p not in chosen
    ]
    if not chosen:
        return entries
    items = [
        RateItem(
            limits.key(org_id, "rag", p.id, p.configuration["limit"], subject(p, caller)),
            parse(p.configuration["limit"]),
            1,
        )
        for p in chosen
    ]
    outcome, _ = await limits.admit(Admission(rates=items), [])
    refused = [(p, s) for p, s in zip(chosen, outcome.rates, strict=False) if not s.allowed]
    if not outcome.allowed and refused:
        wait = max(1, math.ceil(max(s.retry_after for _, s in refused)))
        for p, _ in refused:
            entries.append(
                Entry(
                    p.id, p.name, "rate_limit", "pre", "blocked", f"over {p.configuration['limit']}"
                )
            )
        raise RateLimited(
            f"Rate limit exceeded. Retry after {wait} seconds.",
            headers={"Retry-After": str(wait)},
            extra={"policy_metadata": metadata(entries)},
        )
    for p, s in zip(chosen, outcome.rates, strict=False):
        entries.append(
            Entry(
                p.id,
                p.name,
                "rate_limit",
                "pre",
                "allowed",
                f"within {p.configuration['limit']}",
                {"remaining": s.remaining},
            )
        )
    return entries
