"""The live gateway fixtures (a Spacegate in process in front of the fake provider), shared with
the gateway suites."""

from __future__ import annotations

from tests.gateway.conftest import World, api, fake_upstream, live, world

__all__ = ["World", "api", "fake_upstream", "live", "world"]
