"""The gateway fixtures (a live Spacegate in front of the fake provider), shared here."""

from __future__ import annotations

from tests.gateway.conftest import World, api, fake_upstream, live, world

__all__ = ["World", "api", "fake_upstream", "live", "world"]
