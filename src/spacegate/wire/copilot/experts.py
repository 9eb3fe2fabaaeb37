"""Wire schemas of experts (``/v1/experts``) and the nested shapes the copilot's bodies share:
pydantic only."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

import jsonschema_rs
from pydantic import ConfigDict, Field, field_serializer, field_validator, model_validator

from spacegate.wire.base import RequestModel, ResponseModel

_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class NoNul(RequestModel):
    """Nested wire objects: unknown fields and text PostgreSQL cannot store are refused, as in
    every request body; text is kept as sent (messages and passages keep their whitespace)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class ToolFunction(NoNul):
    """OpenAI's ``function`` of a function tool; ``parameters`` is a JSON Schema."""

    name: str = Field(description="1-64 letters, digits, `_` or `-`.")
    description: str | None = Field(default=None, max_length=10_000)
    parameters: dict[str, Any] | None = None
    strict: bool | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _TOOL_NAME.match(value):
            raise ValueError("must be 1-64 letters, digits, '_' or '-'")
        return value

    @field_validator("parameters")
    @classmethod
    def _schema(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return value
        try:
            jsonschema_rs.meta.validate(value)
        except jsonschema_rs.ValidationError as exc:
            raise ValueError(f"is not a valid JSON Schema: {exc.message}") from None
        except Exception as exc:  # an unknown $schema draft, a bad $ref ...
            raise ValueError(f"is not a valid JSON Schema: {exc}") from None
        return value


class ExpertTool(NoNul):
    """A tool in OpenAI's chat-completions shape: ``{"type": "function", "function": {...}}``."""

    type: str = Field(default="function", pattern="^function$")
    function: ToolFunction


class FileContext(NoNul):
    """A passage the expert answers from: a ``text``, or a ``dataset_id`` of the space's datasets
    (kept as a reference; its passages are retrieved by the datasets' search)."""

    name: str | None = Field(default=None, max_length=200)
    text: str | None = Field(default=None, max_length=200_000)
    dataset_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _one_source(self) -> FileContext:
        if (self.text is None) == (self.dataset_id is None):
            raise ValueError("give exactly one of 'text' or 'dataset_id'")
        return self


class ExpertCreate(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(max_length=10_000)
    context: str = Field(default="", max_length=100_000, description="The expert's instructions.")
    file_context: list[FileContext] = Field(default_factory=list, max_length=50)
    tools: list[ExpertTool] = Field(default_factory=list, max_length=64)

    @field_serializer("file_context", "tools")
    def _plain(self, items: list[Any]) -> list[dict[str, Any]]:
        return [i.model_dump(mode="json", exclude_none=True) for i in items]


class ExpertUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    context: str | None = Field(default=None, max_length=100_000)
    file_context: list[FileContext] | None = Field(default=None, max_length=50)
    tools: list[ExpertTool] | None = Field(default=None, max_length=64)

    @field_serializer("file_context", "tools")
    def _plain(self, items: list[Any] | None) -> list[dict[str, Any]] | None:
        if items is None:
            return None
        return [i.model_dump(mode="json", exclude_none=True) for i in items]


class ExpertRead(ResponseModel):
    id: uuid.UUID
    name: str
    description: str
    context: str
    file_context: list[dict[str, Any]]
    tools: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime
