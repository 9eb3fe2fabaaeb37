"""Chats: persisted conversations (seed 004), listed by name, read whole or as a window."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from spacegate.models import Chat
from spacegate.resources import ResourceService, ResourceSpec


class ChatService(ResourceService[Chat]):
    model = Chat
    spec = ResourceSpec(label="Chat", permission="chats", name="chat")

    def filtered(self, stmt: Select[Any], filters: dict[str, Any]) -> Select[Any]:
        name = filters.get("name")
        if name:
            escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            stmt = stmt.where(Chat.name.ilike(f"%{escaped}%", escape="\\"))
        return stmt

    async def validate(self, values: dict[str, Any], current: Chat | None) -> dict[str, Any]:
        if "messages" in values and values["messages"] is None:
            values["messages"] = []
        return values


def chat_name(messages: list[dict[str, Any]]) -> str:
    """A new chat's default name: the start of its first user message."""
    for message in messages:
        if message.get("role") == "user":
            text = text_of(message.get("content")).strip()
            if text:
                first = " ".join(text.split())
                return first if len(first) <= 60 else first[:59] + "…"
    return "New chat"


def text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(p.get("text", "")) for p in content if isinstance(p, dict) and "text" in p
        )
    return ""
