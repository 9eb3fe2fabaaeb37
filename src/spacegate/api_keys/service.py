"""API keys: issue (shown once), list, revoke. A key never holds more than its creator."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.permissions import unknown
from spacegate.auth.principal import Principal
from spacegate.errors import Forbidden, Unprocessable, not_found
from spacegate.kit import apikeys
from spacegate.kit.clock import as_utc, utcnow
from spacegate.kit.cursors import CursorCodec
from spacegate.kit.pagination import Page, keyset_page
from spacegate.models import ApiKey
from spacegate.spaces.service import SpaceService


async def issue_key(
    session: AsyncSession,
    *,
    org_id: uuid.UUID,
    user_id: uuid.UUID,
    name: str,
    space_id: uuid.UUID | None = None,
    permissions: list[str] | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    plaintext = apikeys.generate()
    row = ApiKey(
        org_id=org_id,
        user_id=user_id,
        space_id=space_id,
        name=name,
        key_hash=apikeys.hash_key(plaintext),
        display=apikeys.display_prefix(plaintext),
        permissions=permissions,
        expires_at=expires_at,
    )
    session.add(row)
    await session.flush()
    return row, plaintext


class ApiKeyService:
    def __init__(self, session: AsyncSession, principal: Principal, cursors: CursorCodec) -> None:
        self.session = session
        self.principal = principal
        self.cursors = cursors

    @property
    def _manages_all(self) -> bool:
        return self.principal.has("api-keys:manage")

    def _require(self, permission: str) -> None:
        # Checked org-wide or in the key's space: a restricted key without this permission must
        # not manage keys, even its own.
        p = self.principal
        if not (p.has(permission) or (p.bound_space_id and p.has(permission, p.bound_space_id))):
            raise Forbidden(f"Missing permission '{permission}'.", code="permission_denied")

    async def create(
        self,
        *,
        name: str,
        space_id: uuid.UUID | None,
        permissions: list[str] | None,
        expires_at: datetime | None,
    ) -> tuple[ApiKey, str]:
        p = self.principal
        self._require("api-keys:create")
        if p.bound_space_id is not None:
            if space_id is not None and space_id != p.bound_space_id:
                raise not_found("Space", space_id)
            space_id = p.bound_space_id
        if space_id is not None:
            await SpaceService(self.session, p, self.cursors).get(space_id)
        if permissions is not None:
            if bad := unknown(permissions):
                raise Unprocessable(
                    f"Unknown permissions: {', '.join(bad)}.", code="unknown_permission"
                )
            held = set(p.effective_permissions())
            if space_id is not None:
                held |= {x for x in permissions if p.has(x, space_id)}
            if extra := sorted(set(permissions) - held):
                raise Forbidden(
                    f"A key cannot hold permissions its creator lacks: {', '.join(extra)}.",
                    code="permission_escalation",
                )
            permissions = sorted(set(permissions))
        elif p.key_permissions is not None:
            permissions = sorted(
                p.key_permissions
            )  # a restricted key makes keys no wider than itself
        if expires_at is not None:
            expires_at = as_utc(expires_at)  # a naive time from a client is read as UTC
        if expires_at is not None and expires_at <= utcnow():
            raise Unprocessable("expires_at must be in the future.", code="invalid_expiry")
        return await issue_key(
            self.session,
            org_id=p.org_id,
            user_id=p.user_id,
            name=name,
            space_id=space_id,
            permissions=permissions,
            expires_at=expires_at,
        )

    def _visible(self) -> Select[ApiKey]:
        stmt = select(ApiKey).where(ApiKey.org_id == self.principal.org_id)
        if not self._manages_all:
            stmt = stmt.where(ApiKey.user_id == self.principal.user_id)
        if self.principal.bound_space_id is not None:
            stmt = stmt.where(ApiKey.space_id == self.principal.bound_space_id)
        return stmt

    async def list_page(self, *, limit: int, after: str | None) -> Page[ApiKey]:
        self._require("api-keys:list")
        stmt = self._visible()
        return await keyset_page(
            self.session,
            stmt,
            ApiKey.id,
            codec=self.cursors,
            scope="api-keys",
            limit=limit,
            cursor=after,
        )

    async def get(self, key_id: uuid.UUID) -> ApiKey:
        stmt = self._visible().where(ApiKey.id == key_id)
        row: ApiKey | None = await self.session.scalar(stmt)
        if row is None:
            raise not_found("API key", key_id)
        return row

    async def revoke(self, key_id: uuid.UUID) -> ApiKey:
        row = await self.get(key_id)
        self._require("api-keys:revoke")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            await self.session.flush()
        return row
