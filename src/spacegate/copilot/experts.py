"""Experts: a specialist's instructions (``context``), reference passages (``file_context``) and
the function tools it offers the model; a chat turn routed to it is answered with all three."""

from __future__ import annotations

import re
import uuid
from typing import Any

import jsonschema_rs
from pydantic import ConfigDict, Field, field_validator, model_validator

from spacegate.models import Expert
from spacegate.resources import ResourceService, ResourceSpec
from spacegate.wire.base import RequestModel

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


class ExpertService(ResourceService[Expert]):
    model = Expert
    spec = ResourceSpec(label="Expert", permission="experts", name="expert")

    async def validate(self, values: dict[str, Any], current: Expert | None) -> dict[str, Any]:
        # The wire schemas have checked them; stored as plain JSON.
        for name in ("tools", "file_context"):
            if name in values and values[name] is None:
                values[name] = []
        if "context" in values and values["context"] is None:
            values["context"] = ""
        return values

    async def by_ids(self, ids: list[uuid.UUID]) -> list[Expert]:
        """The space's experts among ``ids``, in their order; an unknown id is a 404 naming it."""
        self.scope.require(self.spec.permission_for("get"))
        found = {
            e.id: e
            for e in (await self.session.scalars(self.repo.select(Expert.id.in_(ids)))).all()
        }
        for ident in ids:
            if ident not in found:
                raise self.not_found(ident)
        return [found[i] for i in ids]

    async def all(self, limit: int = 50) -> list[Expert]:
        stmt = self.repo.select().order_by(Expert.id).limit(limit)
        return list((await self.session.scalars(stmt)).all())
