"""Wire schemas of ``spacegate.api.platform.orgs``: pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from spacegate.wire.base import RequestModel, ResponseModel


class OrgRead(ResponseModel):
    id: uuid.UUID
    name: str
    timezone: str = Field(description="IANA time zone; budget periods follow its calendar.")
    created_at: datetime
    updated_at: datetime


class OrgUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    timezone: str | None = Field(
        default=None,
        max_length=64,
        description="IANA time zone, e.g. `Europe/Paris` (default `UTC`); budget periods follow "
        "its calendar.",
    )
