"""Limits: the org's API rate limit, and what the caller may still use in a space.

A space's limits on one model live on its entitlement (``client.entitlements.set_limits``); an
API key's own limits on the key (``client.api_keys.set_limits``).
"""

from __future__ import annotations

from spacegate.client._http import ORG, AsyncTransport, Id, Op, SyncTransport, dump, model
from spacegate.wire.platform.limits import OrgRateLimitRead, OrgRateLimitUpdate
from spacegate.wire.platform.me import MyEntitlements

_ORG_LIMIT = f"/v1/orgs/{ORG}/rate-limit"


def _mine(space_id: Id | None) -> Op[MyEntitlements]:
    headers = {"X-Space-Id": str(space_id)} if space_id is not None else {}
    return Op("GET", "/v1/me/entitlements", model(MyEntitlements), headers=headers)


def _org() -> Op[OrgRateLimitRead]:
    return Op("GET", _ORG_LIMIT, model(OrgRateLimitRead))


def _set_org(rate_limit: str | None) -> Op[OrgRateLimitRead]:
    body = dump(OrgRateLimitUpdate(rate_limit=rate_limit))
    return Op("PUT", _ORG_LIMIT, model(OrgRateLimitRead), body=body)


class Limits:
    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def mine(self, space_id: Id | None = None) -> MyEntitlements:
        """The caller's models in a space (the key's own space when it is bound to one), with
        every limit, what is used and left of it, and when it resets."""
        return self._t.run(_mine(space_id))

    def org(self) -> OrgRateLimitRead:
        return self._t.run(_org())

    def set_org(self, rate_limit: str | None) -> OrgRateLimitRead:
        """e.g. ``"1000/hour,100/minute"``; ``"off"`` for none; None for the server default."""
        return self._t.run(_set_org(rate_limit))


class AsyncLimits:
    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    async def mine(self, space_id: Id | None = None) -> MyEntitlements:
        return await self._t.run(_mine(space_id))

    async def org(self) -> OrgRateLimitRead:
        return await self._t.run(_org())

    async def set_org(self, rate_limit: str | None) -> OrgRateLimitRead:
        return await self._t.run(_set_org(rate_limit))
