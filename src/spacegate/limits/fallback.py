"""What happens when Redis cannot be reached: never a 500, and a bounded wait.

Rate limits fail *open* to a limiter in this process at ``limit ÷ instances`` (so the fleet as a
whole still admits about the configured rate); budgets fail *closed* by default (a hard spend cap
must not be overspent because a cache is down), or open to local counters when configured. After
a failure Redis is skipped for ``cooldown`` seconds (a circuit breaker), so an outage costs one
short timeout per instance per cooldown, not one per request; a script run that Redis refuses
(it answered: it is not away) falls back for the calls it carried only. Every fallback is counted
(``spacegate_limits_fallback_total``) and logged at most once per cooldown.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import Literal

from redis.exceptions import RedisError, ResponseError

from spacegate.kit import metrics
from spacegate.limits import wire
from spacegate.limits.backends import Admission, InProcessBackend, Outcome, Settlement
from spacegate.limits.gcra import Rate
from spacegate.limits.shared import RedisBackend

log = logging.getLogger(__name__)

FailureMode = Literal["open", "closed"]
_FAILURES = (RedisError, OSError, asyncio.TimeoutError, ConnectionError)


class Resilient:
    def __init__(
        self,
        primary: RedisBackend,
        local: InProcessBackend,
        *,
        instances: int,
        budget_mode: FailureMode,
        timeout_s: float,
        cooldown_s: float = 1.0,
    ) -> None:
        self.primary = primary
        primary.timeout_s = timeout_s
        primary.on_failure = self._failed
        self.local = local
        self.instances = max(1, instances)
        self.budget_mode = budget_mode
        self.timeout_s = timeout_s
        self.cooldown_s = cooldown_s
        self._down_until = 0.0
        self._logged_until = 0.0
        self._refusal_logged_until = 0.0

    @property
    def name(self) -> str:
        return "redis"

    @property
    def degraded(self) -> bool:
        return time.monotonic() < self._down_until

    async def admit(self, req: Admission) -> tuple[Outcome, bool]:
        """The outcome, and whether Redis (True) or the local fallback (False) decided it.
        The primary bounds its own wait by ``timeout_s`` (see ``shared``)."""
        raw = await self.send(wire.check(req))
        if raw is not None:
            return wire.parse_admit(raw, req), True
        return self._local_admit(req), False

    async def send(self, check: wire.Check) -> bytes | None:
        """One check's raw answer from Redis; None when Redis is skipped or failed now (then
        ``admit`` decides, locally)."""
        if self.degraded:
            return None
        try:
            return await self.primary.send(check)
        except _FAILURES as exc:
            self._failed("admit", exc)
            return None

    def settle(self, s: Settlement, *, on_primary: bool) -> None:
        """Queue the settlement where its call was decided; failures are the primary's to
        report (through ``_failed``)."""
        if not on_primary:
            self.local.settle_now(self._shrunk_settlement(s))
            return
        if self.degraded:
            return  # the reservation stands: never under-count a call
        self.primary.settle_later(s)

    def _local_admit(self, req: Admission) -> Outcome:
        if req.budgets and self.budget_mode == "closed":
            metrics.limits_fallback.labels("budget", "closed").inc()
            return Outcome(allowed=False, unavailable=True)
        if req.rates:
            metrics.limits_fallback.labels("rate", "open").inc()
        if req.budgets:
            metrics.limits_fallback.labels("budget", "open").inc()
        shrunk = replace(req, rates=[replace(r, rate=self._share(r.rate)) for r in req.rates])
        return self.local.admit_now(shrunk)

    def _shrunk_settlement(self, s: Settlement) -> Settlement:
        return replace(s, rates=[(k, self._share(r), d) for k, r, d in s.rates])

    def _share(self, rate: Rate) -> Rate:
        return Rate(rate.limit / self.instances, rate.period)

    def _failed(self, what: str, exc: BaseException) -> None:
        now = time.monotonic()
        metrics.limits_backend_errors.labels(what).inc()
        if isinstance(exc, ResponseError):
            # Redis is up and answered: it refused the script run of these calls only (their
            # org's keys hold something else, say). They fall back; nobody else's calls do.
            if now >= self._refusal_logged_until:
                self._refusal_logged_until = now + self.cooldown_s
                log.warning("limits: Redis refused a script run during %s: %s", what, exc)
            return
        self._down_until = now + self.cooldown_s
        if now >= self._logged_until:
            self._logged_until = now + self.cooldown_s
            log.warning(
                "limits: Redis unreachable during %s (%s); rate limits fall back to this "
                "process at 1/%d of each limit, budgets fail %s",
                what,
                type(exc).__name__,
                self.instances,
                self.budget_mode,
            )
