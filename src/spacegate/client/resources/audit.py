"""The audit log (``/v1/audit-logs``): every change made through the API, oldest first."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict, Unpack

from spacegate.client._http import AsyncTransport, Id, Op, SyncTransport, check_keywords, params
from spacegate.client.pagination import AsyncPager, Page, PageOp, SyncPager, platform_page
from spacegate.wire.platform.audit_logs import AuditLogRead


class AuditQuery(TypedDict, total=False):
    """What ``list`` can narrow the log to; each is optional."""

    resource: str | None
    resource_id: str | None
    action: str | None
    actor: Id | None
    space_id: Id | None
    start_date: datetime | None
    end_date: datetime | None


def _list(limit: int, query: AuditQuery) -> PageOp[AuditLogRead]:
    check_keywords(AuditQuery, query)
    start, end = query.get("start_date"), query.get("end_date")
    filters = {
        **query,
        "start_date": start.isoformat() if start else None,
        "end_date": end.isoformat() if end else None,
    }

    def fetch(cursor: str | None) -> Op[Page[AuditLogRead]]:
        return Op(
            "GET",
            "/v1/audit-logs",
            platform_page(AuditLogRead),
            params(limit=limit, after=cursor, **filters),
        )

    return fetch


class AuditLogs:
    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def list(self, *, page_size: int = 100, **query: Unpack[AuditQuery]) -> SyncPager[AuditLogRead]:
        return SyncPager(self._t, _list(page_size, query))


class AsyncAuditLogs:
    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    def list(
        self, *, page_size: int = 100, **query: Unpack[AuditQuery]
    ) -> AsyncPager[AuditLogRead]:
        return AsyncPager(self._t, _list(page_size, query))
