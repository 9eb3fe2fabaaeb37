"""A route's targets as the provider adapters take them, and what the client sees when none of
them answered."""

from __future__ import annotations

import functools

from spacegate.gateway.catalog import Target
from spacegate.gateway.providers import Upstream
from spacegate.gateway.providers.base import DEFAULT_TIMEOUTS, Timeouts
from spacegate.gateway.providers.errors import ProviderError, UpstreamRateLimited


def upstream_of(target: Target) -> Upstream:
    seconds = target.config.get("timeout_seconds")
    return Upstream(
        protocol=target.protocol,  # type: ignore[arg-type]
        base_url=target.base_url,
        api_key=target.api_key,
        upstream_model=target.upstream_model,
        config=target.config,
        timeouts=timeouts_for(float(seconds)) if seconds else DEFAULT_TIMEOUTS,
    )


@functools.lru_cache(maxsize=64)
def timeouts_for(seconds: float) -> Timeouts:
    """A connection's ``timeout_seconds``: the whole exchange (a stream included) ends by then,
    and no single wait for bytes may be longer."""
    return Timeouts(
        connect=min(DEFAULT_TIMEOUTS.connect, seconds),
        read=min(DEFAULT_TIMEOUTS.read, seconds),
        total=seconds,
    )


def final_error(failures: list[ProviderError]) -> ProviderError:
    """What the client sees when no target answered."""
    if failures and all(isinstance(f, UpstreamRateLimited) for f in failures):
        waits = [
            f.retry_after for f in failures if isinstance(f, UpstreamRateLimited) and f.retry_after
        ]
        best = failures[0]
        if waits:
            best.headers["Retry-After"] = str(max(1, int(min(waits) + 0.999)))
        else:
            best.headers.setdefault("Retry-After", "1")
        return best
    if failures and not failures[-1].retryable:
        return failures[-1]
    if any(f.status == 504 for f in failures):
        return next(f for f in failures if f.status == 504)
    return failures[-1] if failures else ProviderError("No upstream answered.")
