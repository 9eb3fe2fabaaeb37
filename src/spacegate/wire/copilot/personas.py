"""Wire schemas of personas (``/v1/personas``): pydantic only."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from spacegate.wire.base import RequestModel, ResponseModel
from spacegate.wire.copilot.experts import NoNul


class PersonaDraft(BaseModel):
    """The persona schema a completion must answer in."""

    name: str = Field(min_length=1, max_length=200)
    birthdate: date = Field(description="YYYY-MM-DD.")
    notes: str = Field(default="", max_length=100_000)
    data: dict[str, Any] = Field(default_factory=dict, description="Any further attributes.")


class PersonaCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    birthdate: date = Field(description="YYYY-MM-DD.")
    notes: str = Field(max_length=100_000)
    data: dict[str, Any] = Field(default_factory=dict, description="Any further attributes.")


class PersonaUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    birthdate: date | None = None
    notes: str | None = Field(default=None, max_length=100_000)
    data: dict[str, Any] | None = None


class PersonaRead(ResponseModel):
    id: uuid.UUID
    name: str
    birthdate: date
    notes: str
    data: dict[str, Any]
    created_by: uuid.UUID | None
    updated_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class HistoryMessage(NoNul):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=100_000)


class CompletionRequest(RequestModel):
    current_persona: dict[str, Any] = Field(
        default_factory=dict, description="The persona as it is now (may be partial)."
    )
    history: list[HistoryMessage] = Field(default_factory=list, max_length=100)
    prompt: str = Field(min_length=1, max_length=20_000, description="What to change.")
    model: str | None = Field(
        default=None, min_length=1, max_length=200, description="Default: the space's default."
    )


class CompletionResponse(PersonaDraft):
    """The updated persona (not stored), validated against the persona schema."""


class PersonaConflict(BaseModel):
    row: int
    file: str
    name: str
    birthdate: str
    persona_id: str


class UploadResponse(BaseModel):
    upload_token: str = Field(description="Shown once; confirm with it before `expires_at`.")
    total: int
    conflict_personas: int = Field(description="Rows matching a persona (name and birthdate).")
    status: str
    message: str
    expires_at: datetime
    conflicts: list[PersonaConflict] = Field(description="The first 100 conflicts.")


class ConfirmRequest(RequestModel):
    conflict_resolution: Literal["overwrite", "create", "skip"] = Field(
        default="skip",
        description="For rows matching a persona: `overwrite` updates it, `create` adds a new "
        "one anyway, `skip` keeps the existing one.",
    )


class ConfirmResponse(BaseModel):
    conflicts_resolved: int
    total_uploaded: int = Field(description="Personas created or updated.")
    status: str
    message: str
    created: int
    updated: int
    skipped: int
