"""Wire schemas of ``spacegate.api.platform.jobs``: pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from spacegate.wire.base import ResponseModel

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]


class JobFilters(BaseModel):
    kind: str | None = None
    status: JobStatus | None = None
    subject_id: uuid.UUID | None = None


class JobRead(ResponseModel):
    id: uuid.UUID
    kind: str
    status: JobStatus
    subject_id: uuid.UUID | None
    progress: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    attempts: int
    max_attempts: int
    cancel_requested: bool
    created_by: uuid.UUID | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
