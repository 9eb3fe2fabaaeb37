"""Reading the audit log: the caller's org only, filtered, newest first by cursor."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.principal import Principal
from spacegate.errors import Forbidden
from spacegate.kit.clock import as_utc
from spacegate.kit.cursors import CursorCodec
from spacegate.kit.pagination import Page, keyset_page
from spacegate.models import AuditLog


class AuditService:
    def __init__(self, session: AsyncSession, principal: Principal, cursors: CursorCodec) -> None:
        self.session = session
        self.principal = principal
        self.cursors = cursors

    async def list_page(
        self,
        *,
        resource: str | None,
        resource_id: str | None,
        action: str | None,
        actor_id: uuid.UUID | None,
        space_id: uuid.UUID | None,
        start: datetime | None,
        end: datetime | None,
        limit: int,
        after: str | None,
    ) -> Page[AuditLog]:
        p = self.principal
        if not p.has("audit-logs:list") or p.bound_space_id is not None:
            raise Forbidden("Missing permission 'audit-logs:list'.", code="permission_denied")
        stmt = select(AuditLog).where(AuditLog.org_id == p.org_id)
        if resource is not None:
            stmt = stmt.where(AuditLog.resource == resource)
        if resource_id is not None:
            stmt = stmt.where(AuditLog.resource_id == resource_id)
        if action is not None:
            stmt = stmt.where(AuditLog.action == action)
        if actor_id is not None:
            stmt = stmt.where(AuditLog.actor_id == actor_id)
        if space_id is not None:
            stmt = stmt.where(AuditLog.space_id == space_id)
        if start is not None:
            stmt = stmt.where(AuditLog.created_at >= as_utc(start))
        if end is not None:
            stmt = stmt.where(AuditLog.created_at <= as_utc(end))
        return await keyset_page(
            self.session,
            stmt,
            AuditLog.id,
            codec=self.cursors,
            scope="audit-logs",
            limit=limit,
            cursor=after,
        )
