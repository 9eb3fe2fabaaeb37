"""Wire shapes the factory's resources share."""

from __future__ import annotations

import uuid

from pydantic import Field

from spacegate.wire.base import RequestModel


class ConnectorFiles(RequestModel):
    """Seed 004's ``request.ConnectorTraining``: files of one connector."""

    connector_id: uuid.UUID
    files: list[str] = Field(
        min_length=1, max_length=1000, description="Object keys, relative to the prefix."
    )
