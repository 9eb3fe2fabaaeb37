"""Wire schemas of connectors (``/v1/connectors``): pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from spacegate.wire.base import RequestModel, ResponseModel

DEFAULT_FILES, MAX_FILES = 1000, 10_000


class S3Config(RequestModel):
    """Seed 004's ``request.S3Config``. The keys are stored encrypted and never returned."""

    bucket: str = Field(min_length=3, max_length=255)
    region: str = Field(default="us-east-1", min_length=1, max_length=64)
    endpoint_url: str | None = Field(
        default=None,
        max_length=2048,
        description="An S3-compatible server other than AWS (http or https, public address).",
    )
    prefix: str | None = Field(default=None, max_length=1024)
    access_key_id: str = Field(min_length=1, max_length=256)
    secret_access_key: str = Field(min_length=1, max_length=1024)


class ConnectorCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    type: Literal["aws-s3"]
    s3: S3Config


class ConnectorRead(ResponseModel):
    id: uuid.UUID
    name: str
    provider: str
    region: str
    status: str
    created_by: uuid.UUID | None
    created_at: datetime
    bucket: str
    prefix: str
    endpoint_url: str | None
    scan: dict[str, Any] = Field(description="The latest scan: status and each file's schema.")


class ScanRequest(RequestModel):
    files: list[str] = Field(min_length=1, max_length=100)


class ScanStarted(BaseModel):
    id: uuid.UUID = Field(description="The scan's job (see /v1/jobs/{id}).")
    connector_id: uuid.UUID
    status: str
    files: list[str]


class FileInfo(BaseModel):
    key: str
    size: int
    last_modified: str
    etag: str
