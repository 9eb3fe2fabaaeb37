"""Wire schemas of ``spacegate.api.platform.audit_logs``: pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from spacegate.wire.base import ResponseModel


class AuditLogRead(ResponseModel):
    id: uuid.UUID
    actor_type: str
    actor_id: uuid.UUID | None
    api_key_id: uuid.UUID | None
    resource: str
    resource_id: str
    action: str
    space_id: uuid.UUID | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
    created_at: datetime
