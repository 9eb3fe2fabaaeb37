"""Seed 004 "chats": list, history, update, delete, the history window. Turns are
``POST /v1/chat/completions`` with copilot fields (``copilot.turns``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path, Query, Request

from spacegate.api.deps import CursorsDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.auth.scope import SpaceScopeDep
from spacegate.copilot import turns  # noqa: F401  (serves chat turns on the gateway route)
from spacegate.copilot.chats import ChatService
from spacegate.copilot.settings import CopilotSettingsService
from spacegate.copilot.window import budget, window
from spacegate.models import Chat
from spacegate.resources.router import crud_router
from spacegate.wire.copilot.chats import (
    ChatFilters,
    ChatRead,
    ChatUpdate,
)

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
