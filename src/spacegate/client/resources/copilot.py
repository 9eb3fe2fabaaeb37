"""The copilot of the client's space (``space_id=`` of the client, or a key bound to a space):
experts (``/v1/experts``) and chats (``/v1/chats``; a turn is ``chats.send``, which posts to
``/v1/chat/completions`` with the copilot's fields and answers the seed's chat response)."""

from __future__ import annotations

from typing import Any

import httpx

from spacegate.client._http import Id, Op, model, nothing, params
from spacegate.client.resources._crud import AsyncCrud, CrudOps, SyncCrud
from spacegate.wire.copilot.chats import ChatRead, ChatUpdate
from spacegate.wire.copilot.experts import ExpertCreate, ExpertRead, ExpertUpdate

_EXPERTS = CrudOps("/v1/experts", ExpertRead, ExpertCreate, ExpertUpdate)
_CHATS = CrudOps("/v1/chats", ChatRead, ExpertCreate, ChatUpdate)  # chats are made by turns


def _json(r: httpx.Response) -> dict[str, Any]:
    answer: dict[str, Any] = r.json()
    return answer


def _turn(messages: list[dict[str, Any]] | str, fields: dict[str, Any]) -> Op[dict[str, Any]]:
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    body = {k: (str(v) if k == "id" else v) for k, v in fields.items() if v is not None}
    return Op("POST", "/v1/chat/completions", _json, body={**body, "messages": messages})


def _window(chat_id: Id, max_tokens: int | None, limit: int | None) -> Op[ChatRead]:
    query = params(max_tokens=max_tokens, limit=limit)
    return Op("GET", f"/v1/chats/{chat_id}/window", model(ChatRead), query)


class Experts(SyncCrud[ExpertRead, ExpertCreate, ExpertUpdate]):
    ops = _EXPERTS

    def get(self, expert_id: Id) -> ExpertRead:
        return self._t.run(_EXPERTS.get(expert_id))

    def update(
        self, expert_id: Id, body: ExpertUpdate | None = None, /, **fields: Any
    ) -> ExpertRead:
        return self._t.run(_EXPERTS.update(expert_id, body, fields))

    def delete(self, expert_id: Id) -> None:
        self._t.run(_EXPERTS.delete(expert_id))


class AsyncExperts(AsyncCrud[ExpertRead, ExpertCreate, ExpertUpdate]):
    ops = _EXPERTS

    async def get(self, expert_id: Id) -> ExpertRead:
        return await self._t.run(_EXPERTS.get(expert_id))

    async def update(
        self, expert_id: Id, body: ExpertUpdate | None = None, /, **fields: Any
    ) -> ExpertRead:
        return await self._t.run(_EXPERTS.update(expert_id, body, fields))

    async def delete(self, expert_id: Id) -> None:
        await self._t.run(_EXPERTS.delete(expert_id))


class Chats(SyncCrud[ChatRead, ExpertCreate, ChatUpdate]):
    """``send`` takes the turn's fields as keywords: ``id`` (to continue a chat), ``model``,
    ``expert_ids``, ``guard_enabled``, ``router_enabled`` ... (``POST /v1/chat/completions``)."""

    ops = _CHATS

    def send(self, messages: list[dict[str, Any]] | str, **fields: Any) -> dict[str, Any]:
        return self._t.run(_turn(messages, fields))

    def get(self, chat_id: Id) -> ChatRead:
        return self._t.run(_CHATS.get(chat_id))

    def window(
        self, chat_id: Id, *, max_tokens: int | None = None, limit: int | None = None
    ) -> ChatRead:
        return self._t.run(_window(chat_id, max_tokens, limit))

    def update(self, chat_id: Id, body: ChatUpdate | None = None, /, **fields: Any) -> ChatRead:
        return self._t.run(_CHATS.update(chat_id, body, fields))

    def delete(self, chat_id: Id) -> None:
        self._t.run(Op("DELETE", f"/v1/chats/{chat_id}", nothing))


class AsyncChats(AsyncCrud[ChatRead, ExpertCreate, ChatUpdate]):
    ops = _CHATS

    async def send(self, messages: list[dict[str, Any]] | str, **fields: Any) -> dict[str, Any]:
        return await self._t.run(_turn(messages, fields))

    async def get(self, chat_id: Id) -> ChatRead:
        return await self._t.run(_CHATS.get(chat_id))

    async def window(
        self, chat_id: Id, *, max_tokens: int | None = None, limit: int | None = None
    ) -> ChatRead:
        return await self._t.run(_window(chat_id, max_tokens, limit))

    async def update(
        self, chat_id: Id, body: ChatUpdate | None = None, /, **fields: Any
    ) -> ChatRead:
        return await self._t.run(_CHATS.update(chat_id, body, fields))

    async def delete(self, chat_id: Id) -> None:
        await self._t.run(Op("DELETE", f"/v1/chats/{chat_id}", nothing))
