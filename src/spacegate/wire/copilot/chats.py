"""Wire schemas of chats (``/v1/chats``): pydantic only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_serializer

from spacegate.wire.base import RequestModel, ResponseModel
from spacegate.wire.copilot.experts import NoNul

NAME_LENGTH = 200


class Message(NoNul):
    """A message in OpenAI's chat shape (``model.Message``)."""

    #: Two schemas share this name, so the OpenAPI document names each after its module; kept
    #: as published (``spacegate__api__copilot__chats__Message``). Set in the body, it is what the
    #: schema's reference is built from; its annotations are then resolved by the rebuild below.
    __module__ = "spacegate.api.copilot.chats"

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None
    name: str | None = Field(default=None, max_length=200)
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = Field(default=None, max_length=200)
    refusal: str | None = None


Message.model_rebuild()  # resolves its annotations in this module, not in its ``__module__``


class ChatFilters(BaseModel):
    name: str | None = Field(default=None, max_length=NAME_LENGTH, description="Filter by name.")


class ChatUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=NAME_LENGTH)
    model: str | None = Field(default=None, min_length=1, max_length=200)
    guard_enabled: bool | None = None
    router_enabled: bool | None = None
    max_tokens: int | None = Field(default=None, ge=1, le=10_000_000)
    temperature: float | None = Field(default=None, ge=0, le=2)
    messages: list[Message] | None = Field(default=None, max_length=10_000)
    last_response: dict[str, Any] | None = None

    @field_serializer("messages")
    def _plain(self, items: list[Message] | None) -> list[dict[str, Any]] | None:
        if items is None:
            return None
        return [m.model_dump(exclude_none=True) for m in items]


class ChatSummary(ResponseModel):
    id: uuid.UUID
    name: str
    model: str | None
    expert_ids: list[str]
    guard_enabled: bool
    router_enabled: bool
    max_tokens: int | None
    temperature: float | None
    type: str | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime


class ChatRead(ChatSummary):
    """``model.ChatHistory``: the chat and its messages."""

    messages: list[dict[str, Any]]
    last_response: dict[str, Any] | None
