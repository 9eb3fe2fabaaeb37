"""The audit log (``/v1/audit-logs``): every change made through the API, oldest first."""

from __future__ import annotations

from datetime import datetime

from spacegate.api.platform.audit_logs import AuditLogRead
from spacegate.client._http import AsyncTransport, Id, Op, SyncTransport, params
from spacegate.client.pagination import AsyncPager, Page, PageOp, SyncPager, platform_page


def _list(
    limit: int,
    resource: str | None,
    resource_id: str | None,
    action: str | None,
    actor: Id | None,
    space_id: Id | None,
    start_date: datetime | None,
    end_date: datetime | None,
) -> PageOp[AuditLogRead]:
    def fetch(cursor: str | None) -> Op[Page[AuditLogRead]]:
        query = params(
            limit=limit,
            after=cursor,
            resource=resource,
            resource_id=resource_id,
            action=action,
            actor=actor,
            space_id=space_id,
            start_date=start_date.isoformat() if start_date else None,
            end_date=end_date.isoformat() if end_date else None,
        )
        return Op("GET", "/v1/audit-logs", platform_page(AuditLogRead), query)

    return fetch


class AuditLogs:
    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def list(
        self,
        *,
        resource: str | None = None,
        resource_id: str | None = None,
        action: str | None = None,
        actor: Id | None = None,
        space_id: Id | None = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        page_size: int = 100,
    ) -> SyncPager[AuditLogRead]:
        fetch = _list(
            page_size, resource, resource_id, action, actor, space_id, start_date, end_date
        )
        return SyncPager(self._t, fetch)


class AsyncAuditLogs:
    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    def list(
        self,
        *,
        resource: str | None = None,
        resource_id: str | None = None,
        action: str | None = None,
        actor: Id | None = None,
        space_id: Id | None = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        page_size: int = 100,
    ) -> AsyncPager[AuditLogRead]:
        fetch = _list(
            page_size, resource, resource_id, action, actor, space_id, start_date, end_date
        )
        return AsyncPager(self._t, fetch)
