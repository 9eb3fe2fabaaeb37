"""Changing limits: an org's request limit, and an API key's own limits.

Both are rows changed through the ORM, so the audit log records them and every instance's
cached limits are dropped at commit (the org's governance generation moves).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.api_keys.service import ApiKeyService
from spacegate.auth.principal import Principal
from spacegate.errors import Forbidden, Unprocessable
from spacegate.kit.cursors import CursorCodec
from spacegate.limits import policy
from spacegate.models import ApiKey, Org
from spacegate.orgs.service import OrgService


def _require(principal: Principal, permission: str) -> None:
    if not principal.has(permission) or principal.bound_space_id is not None:
        raise Forbidden(f"Missing permission '{permission}'.", code="permission_denied")


class LimitAdmin:
    def __init__(self, session: AsyncSession, principal: Principal, cursors: CursorCodec) -> None:
        self.session = session
        self.principal = principal
        self.orgs = OrgService(session, principal)
        self.keys = ApiKeyService(session, principal, cursors)

    async def org(self, org_id: uuid.UUID) -> Org:
        return await self.orgs.get(org_id)

    async def set_org_rate_limit(self, org_id: uuid.UUID, spec: str | None) -> Org:
        org = await self.orgs.get(org_id)  # another org's: 404 before any 403
        _require(self.principal, "orgs:update")
        if spec is not None:
            try:
                spec = policy.render(policy.parse(spec))
            except policy.InvalidSpec as exc:
                raise Unprocessable(str(exc), code="invalid_rate_limit") from None
        org.rate_limit = spec
        await self.session.flush()
        return org

    async def key(self, key_id: uuid.UUID) -> ApiKey:
        return await self.keys.get(key_id)

    async def set_key_limits(
        self,
        key_id: uuid.UUID,
        *,
        rpm: int | None,
        tpm: int | None,
        max_concurrency: int | None,
    ) -> ApiKey:
        key = await self.keys.get(key_id)
        # Only key managers: a key's owner could otherwise lift the limits set on it.
        _require(self.principal, "api-keys:manage")
        key.rpm, key.tpm, key.max_concurrency = rpm, tpm, max_concurrency
        await self.session.flush()
        return key
