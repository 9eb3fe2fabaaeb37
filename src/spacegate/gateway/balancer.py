"""Choosing the order in which a model's targets are tried (its routing strategy)."""

from __future__ import annotations

import itertools
import uuid
from collections import defaultdict

from spacegate.gateway.catalog import Route, Target

_EWMA_ALPHA = 0.2


class Balancer:
    def __init__(self) -> None:
        self._counters: dict[uuid.UUID, itertools.count[int]] = defaultdict(itertools.count)
        self._latency: dict[uuid.UUID, float] = {}

    def order(self, route: Route) -> list[Target]:
        """Targets in try order: the first is preferred, the rest are fallbacks."""
        targets = list(route.targets)
        if len(targets) <= 1:
            return targets
        if route.strategy == "round_robin":
            wheel = [t for t in targets for _ in range(max(t.weight, 1))]
            first = wheel[next(self._counters[route.model_id]) % len(wheel)]
            return [first, *(t for t in targets if t is not first)]
        if route.strategy == "lowest_latency":
            # Unmeasured targets first (so every target gets measured), then fastest first.
            return sorted(
                targets, key=lambda t: (t.id in self._latency, self._latency.get(t.id, 0.0))
            )
        return targets  # priority: already ordered by priority

    def observe(self, target: Target, seconds: float) -> None:
        old = self._latency.get(target.id)
        self._latency[target.id] = seconds if old is None else old + _EWMA_ALPHA * (seconds - old)
