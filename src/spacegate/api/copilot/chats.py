"""Seed 004 "chats": list, history, update, delete, the history window. Turns are
``POST /v1/chat/completions`` with copilot fields (``copilot.turns``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path, Query, Request
from pydantic import BaseModel, Field, field_serializer

from spacegate.api.deps import CursorsDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.auth.scope import SpaceScopeDep
from spacegate.copilot import turns  # noqa: F401  (serves chat turns on the gateway route)
from spacegate.copilot.chats import NAME_LENGTH, ChatService
from spacegate.copilot.experts import NoNul
from spacegate.copilot.settings import CopilotSettingsService
from spacegate.copilot.window import budget, window
from spacegate.models import Chat
from spacegate.resources.router import crud_router
from spacegate.wire.base import RequestModel, ResponseModel


class Message(NoNul):
    """A message in OpenAI's chat shape (``model.Message``)."""

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None
    name: str | None = Field(default=None, max_length=200)
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = Field(default=None, max_length=200)
    refusal: str | None = None


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


router = crud_router(
    ChatService,
    prefix="/v1/chats",
    tag="chats",
    create=None,
    update=ChatUpdate,
    read=ChatRead,
    filters=ChatFilters,
    ops=("list", "get", "update", "delete"),
)


@router.get(
    "/{id}/window",
    summary="Get chat history window",
    description="The chat with its most recent messages that fit the model's context window "
    "(less room for the answer), or `max_tokens` estimated tokens, at most `limit` messages: "
    "what the chat's next turn sends upstream.",
    responses=errors(*AUTHED, 400, 404),
)
async def chat_window(
    request: Request,
    id: Annotated[uuid.UUID, Path(description="Chat identifier")],
    session: SessionDep,
    scope: SpaceScopeDep,
    cursors: CursorsDep,
    max_tokens: Annotated[
        int | None, Query(ge=1, le=10_000_000, description="Token budget of the window.")
    ] = None,
    limit: Annotated[int | None, Query(ge=1, le=10_000, description="Most messages.")] = None,
) -> ChatRead:
    chat: Chat = await ChatService(session, scope, cursors).get(id)
    if max_tokens is None:
        settings = await CopilotSettingsService(session, scope).effective()
        route = await request.app.state.gateway.catalog.route(
            scope.org_id, scope.space_id, chat.model
        )
        context = route.context_window if route is not None else None
        max_tokens = budget(context, max_tokens=chat.max_tokens, cap=settings.window_max_tokens)
    read = ChatRead.model_validate(chat)
    read.messages = window(list(chat.messages or []), max_tokens, limit=limit)
    return read
