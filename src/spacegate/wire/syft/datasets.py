"""Seed 003 datasets on the wire: the dataset, its types and search; its documents (upload,
folder sync); its ingestion progress and jobs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, field_validator

from spacegate.wire.base import RequestModel, ResponseModel

NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
Tags: Any = Field(
    default_factory=list, max_length=50, description="Labels (a list, or comma-separated)."
)


def _tags(value: Any) -> Any:
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    return value


class DatasetCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200, pattern=NAME)
    dtype: str = Field(min_length=1, max_length=32, description="See GET /api/v1/datasets/types/.")
    configuration: dict[str, Any] = Field(default_factory=dict)
    summary: str | None = Field(default=None, max_length=10_000)
    tags: list[Annotated[str, Field(min_length=1, max_length=64)]] = Tags

    _split = field_validator("tags", mode="before")(lambda v: _tags(v))

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value == "types":
            raise ValueError("'types' is reserved (GET /api/v1/datasets/types/)")
        return value


class DatasetUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200, pattern=NAME)
    configuration: dict[str, Any] | None = None
    summary: str | None = Field(default=None, max_length=10_000)
    tags: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        default=None, max_length=50
    )

    _split = field_validator("tags", mode="before")(lambda v: _tags(v))
    _reserved = field_validator("name")(lambda v: DatasetCreate._not_reserved(v) if v else v)


class DocumentCounts(ResponseModel):
    total: int
    queued: int
    running: int
    ready: int
    failed: int
    cancelled: int


class IngestionSummary(ResponseModel):
    status: str = Field(description="empty, indexing, ready, partial, failed or cancelled.")
    documents: DocumentCounts
    chunks: int


class DatasetRead(ResponseModel):
    id: uuid.UUID
    name: str
    dtype: str
    configuration: dict[str, Any]
    summary: str | None
    tags: list[str]
    ingestion: IngestionSummary
    connected_endpoints: list[dict[str, Any]] = Field(
        default_factory=list, description="RAG endpoints that search this dataset."
    )
    created_at: datetime
    updated_at: datetime


class DatasetType(ResponseModel):
    name: str
    description: str
    config_schema: dict[str, Any]
    enabled: bool = True


class SearchRequest(RequestModel):
    query: str = Field(min_length=1, max_length=10_000)
    limit: int = Field(default=5, ge=1, le=100)
    similarity_threshold: float = Field(default=0.0, ge=0.0, le=1.0, allow_inf_nan=False)


class SearchHit(ResponseModel):
    document_id: uuid.UUID
    chunk_id: uuid.UUID
    content: str
    metadata: dict[str, Any]
    similarity_score: float
    neighbours: list[str]


class SearchResponse(ResponseModel):
    query: str
    documents: list[SearchHit]


class DocumentRead(ResponseModel):
    id: uuid.UUID
    dataset_id: uuid.UUID
    filename: str
    source: str
    kind: str
    size_bytes: int
    sha256: str
    status: str
    error: str | None
    chunk_count: int
    job_id: uuid.UUID | None
    indexed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SyncRead(ResponseModel):
    added: int
    changed: int
    removed: int
    unchanged: int


class IngestionStatus(IngestionSummary):
    dataset_id: uuid.UUID
    name: str


class IngestionJob(ResponseModel):
    id: uuid.UUID
    document_id: uuid.UUID | None
    filename: str
    status: str
    progress: dict[str, Any]
    error: str | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class IngestionJobs(ResponseModel):
    items: list[IngestionJob]
    total: int
    limit: int
    offset: int
