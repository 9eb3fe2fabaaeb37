"""Chat turns: ``POST /v1/chat/completions`` with copilot fields (``TURN_FIELDS``).

A turn is guarded (when enabled), routed to an expert (when enabled), answered from the chat's
history window with the expert's context, files and tools, and persisted. Each model call goes
through the gateway as the caller with its own step type (``guard``, ``router``, ``inference``)
and the chat id as correlation id, so the inference log shows a turn's whole cost.

No database session is held while a model answers: the chat is read first, written after.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from spacegate.audit.recorder import set_actor
from spacegate.auth.principal import Principal
from spacegate.auth.scope import SpaceScope
from spacegate.copilot import guard, retrieval, router
from spacegate.copilot.chats import NAME_LENGTH, ChatService, chat_name, text_of
from spacegate.copilot.experts import ExpertService
from spacegate.copilot.settings import CopilotSettingsService, Effective
from spacegate.copilot.window import budget, window
from spacegate.errors import AppError, NotFound
from spacegate.gateway.errors import GatewayError
from spacegate.gateway.inprocess import ModelClient, model_client
from spacegate.gateway.service import Gateway
from spacegate.gateway.turn_hook import serve_chat_turns
from spacegate.kit.clock import utcnow
from spacegate.kit.ids import uuid7
from spacegate.models import Chat, Expert
from spacegate.wire.base import _has_nul as has_nul

#: Fields of seed 004's "Create chat completion" that OpenAI's API does not have: any one of them
#: makes a call a chat turn. ``tags``, ``user`` and ``metadata`` are read on a turn but do not make
#: one (plain OpenAI calls carry ``user`` and ``metadata``, and the gateway reads tags).
TURN_FIELDS = frozenset(
    {
        "id",
        "name",
        "expert_ids",
        "guard_enabled",
        "guard_reasoning_enabled",
        "router_enabled",
        "router_reasoning_enabled",
        "echo",
        "type",
    }
)
PURPOSE = "copilot.chat"
_DISCOVERING_PROMPT = (
    "You are a helpful assistant of a financial institution. When the request is unclear, ask "
    "what the user needs."
)


class TurnRequest(BaseModel):
    """The copilot's fields, checked; OpenAI's own (``tools``, ``stop`` ...) pass through."""

    model_config = ConfigDict(extra="allow")

    id: uuid.UUID | None = Field(default=None, description="The chat to continue.")
    name: str | None = Field(default=None, min_length=1, max_length=NAME_LENGTH)
    expert_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)
    guard_enabled: bool | None = None
    guard_reasoning_enabled: bool = False
    router_enabled: bool | None = None
    router_reasoning_enabled: bool = False
    echo: bool = False
    tags: list[str] = Field(default_factory=list, max_length=20)
    type: str | None = Field(default=None, max_length=64)
    user: str | None = Field(default=None, max_length=256)
    metadata: dict[str, Any] | None = None
    model: str | None = Field(default=None, min_length=1, max_length=200)
    messages: list[dict[str, Any]] = Field(min_length=1)
    stream: bool = False
    max_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)


@dataclass
class Turn:
    """A turn once its chat, settings and experts are read."""

    request: TurnRequest
    scope: SpaceScope
    chat_id: uuid.UUID
    is_new: bool
    history: list[dict[str, Any]]
    new: list[dict[str, Any]]
    settings: Effective
    model: str | None
    max_tokens: int | None
    temperature: float | None
    guard_enabled: bool
    router_enabled: bool
    expert_ids: list[uuid.UUID]
    experts: list[Expert]
    context_window: int | None
    client: ModelClient
    guard: dict[str, Any] = field(default_factory=dict)
    router: dict[str, Any] = field(default_factory=dict)
    expert: Expert | None = None
    sent: list[dict[str, Any]] = field(default_factory=list)
    #: Passages retrieved from the expert's datasets for this turn (``copilot.retrieval``).
    passages: list[dict[str, Any]] = field(default_factory=list)

    def last_user_text(self) -> str:
        for m in reversed(self.new):
            if m.get("role") == "user":
                return text_of(m.get("content"))
        return ""


def _bad_request(exc: ValidationError) -> Response:
    first = exc.errors()[0]
    param = ".".join(str(p) for p in first["loc"]) or None
    return GatewayError(
        400, f"{param}: {first['msg']}", code="invalid_request", param=param
    ).response()


def _error(exc: AppError) -> Response:
    param = exc.extra.get("param") if exc.extra else None
    return GatewayError(
        exc.status_code, exc.message, code=exc.code, param=param, headers=exc.headers
    ).response()


async def handle(
    gateway: Gateway,
    request: Request,
    principal: Principal,
    space_id: uuid.UUID,
    body: dict[str, Any],
) -> Response:
    try:
        wanted = TurnRequest.model_validate(body)
    except ValidationError as exc:
        return _bad_request(exc)
    if has_nul(body):
        return GatewayError(
            400, "Text must not contain NUL characters.", code="invalid_request"
        ).response()
    from spacegate.copilot.turn_stream import stream_turn  # the stream imports this module

    rid = request.scope.get("state", {}).get("request_id")
    try:
        turn = await prepare(gateway, SpaceScope(principal, space_id), wanted)
        await guard_and_route(turn)
        await retrieval.retrieve(gateway.runtime, turn)
        if wanted.stream:
            return await stream_turn(gateway, turn, rid)
        if turn.guard and not turn.guard["safe"]:
            choice = refusal_choice(turn.guard)
            answer: dict[str, Any] = {"model": turn.guard.get("model"), "usage": _no_usage()}
        else:
            answer = await turn.client.labelled(step_type="inference").chat(answer_body(turn))
            choice = (answer.get("choices") or [{}])[0]
        wire = response(turn, [choice], answer.get("model"), answer.get("usage"))
        await persist(gateway, turn, choice.get("message") or {}, wire, rid)
    except AppError as exc:
        return _error(exc)
    return Response(orjson.dumps(wire), media_type="application/json")


async def prepare(gateway: Gateway, scope: SpaceScope, wanted: TurnRequest) -> Turn:
    runtime = gateway.runtime
    async with runtime.read_sessions() as session:
        chat: Chat | None = None
        if wanted.id is not None:
            scope.require("chats:update")
            chat = await ChatService(session, scope, runtime.cursors).get(
                wanted.id, permission="update"
            )
        else:
            scope.require("chats:create")
        settings = await CopilotSettingsService(session, scope).effective()
        guard_on = _pick(wanted.guard_enabled, chat.guard_enabled if chat else None, False)
        router_on = _pick(wanted.router_enabled, chat.router_enabled if chat else None, False)
        stored_ids = [uuid.UUID(i) for i in (chat.expert_ids if chat else [])]
        expert_ids = wanted.expert_ids if wanted.expert_ids is not None else stored_ids
        experts_svc = ExpertService(session, scope, runtime.cursors)
        experts = await experts_svc.by_ids(expert_ids) if expert_ids else []
        if router_on and not experts:
            experts = await experts_svc.all()
        history = list(chat.messages or []) if chat else []
        model = wanted.model or (chat.model if chat else None)
    route = await gateway.catalog.route(scope.org_id, scope.space_id, model)
    new = [dict(m) for m in wanted.messages]
    if history and new[: len(history)] == history:
        new = new[len(history) :]  # a client that resends the whole conversation
    if not new:
        raise AppError(
            "'messages' holds nothing after the chat's history: send the new message.",
            code="invalid_request",
            extra={"param": "messages"},
        )
    chat_id = chat.id if chat else uuid7()
    client = model_client(
        gateway,
        scope.principal,
        scope.space_id,
        purpose=PURPOSE,
        tags=tuple(wanted.tags),
        correlation_id=str(chat_id),
    )
    return Turn(
        request=wanted,
        scope=scope,
        chat_id=chat_id,
        is_new=chat is None,
        history=history,
        new=new,
        settings=settings,
        model=model,
        max_tokens=_pick(wanted.max_tokens, chat.max_tokens if chat else None, None),
        temperature=_pick(wanted.temperature, chat.temperature if chat else None, None),
        guard_enabled=guard_on,
        router_enabled=router_on,
        expert_ids=expert_ids,
        experts=experts,
        context_window=route.context_window if route is not None else None,
        client=client,
        expert=experts[0] if experts and not router_on else None,
    )


def _pick(asked: Any, stored: Any, default: Any) -> Any:
    if asked is not None:
        return asked
    return stored if stored is not None else default


async def guard_and_route(turn: Turn) -> None:
    """The guard's verdict, then (for a safe message) the router's choice."""
    wanted = turn.request
    if turn.guard_enabled:
        turn.guard = await guard.classify(
            turn.client.labelled(step_type="guard"),
            turn.last_user_text(),
            turn.settings,
            model=turn.settings.guard_model or turn.model,
            reasoning=wanted.guard_reasoning_enabled,
        )
        if not turn.guard["safe"]:
            return
    if turn.router_enabled and turn.experts:
        turn.expert, turn.router = await router.choose(
            turn.client.labelled(step_type="router"),
            turn.experts,
            [*turn.history, *turn.new],
            model=turn.settings.router_model or turn.model,
            reasoning=wanted.router_reasoning_enabled,
        )


def system_messages(
    expert: Expert | None,
    routed_to_discovering: bool,
    passages: Sequence[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    if expert is None:
        return [{"role": "system", "content": _DISCOVERING_PROMPT}] if routed_to_discovering else []
    parts = [expert.context.strip()] if expert.context.strip() else []
    for item in [*(i for i in expert.file_context or [] if i.get("text")), *passages]:
        title = item.get("name") or "Reference"
        parts.append(f"## {title}\n{item['text']}")
    return [{"role": "system", "content": "\n\n".join(parts)}] if parts else []


def answer_body(turn: Turn) -> dict[str, Any]:
    """The answer call: the expert's system text, the history window, OpenAI's own fields."""
    wanted = turn.request
    system = system_messages(turn.expert, bool(turn.router), turn.passages)
    room = budget(
        turn.context_window,
        max_tokens=turn.max_tokens,
        cap=turn.settings.window_max_tokens,
        system=system,
    )
    turn.sent = [*system, *window([*turn.history, *turn.new], room)]
    body: dict[str, Any] = dict(wanted.model_extra or {})
    body["messages"] = turn.sent
    for name, value in (
        ("model", turn.model),
        ("max_tokens", turn.max_tokens),
        ("temperature", turn.temperature),
        ("top_p", wanted.top_p),
        ("user", wanted.user),
    ):
        if value is not None:
            body[name] = value
    if wanted.metadata:
        body["metadata"] = {**wanted.metadata}
    tools = list(turn.expert.tools or []) if turn.expert is not None else []
    if tools:
        names = {t["function"]["name"] for t in body.get("tools") or []}
        body["tools"] = [
            *(body.get("tools") or []),
            *(t for t in tools if t["function"]["name"] not in names),
        ]
    return body


def refusal_choice(verdict: dict[str, Any]) -> dict[str, Any]:
    text = guard.refusal(verdict)
    return {
        "index": 0,
        "message": {"role": "assistant", "content": text, "refusal": text},
        "logprobs": None,
        "finish_reason": "content_filter",
    }


def _no_usage() -> dict[str, int]:
    return {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}


def response(
    turn: Turn, choices: list[dict[str, Any]], model: str | None, usage: dict[str, Any] | None
) -> dict[str, Any]:
    now = utcnow()
    wire: dict[str, Any] = {
        "id": str(turn.chat_id),
        "object": "chat.completion",
        "created": int(time.time()),
        "created_at": now.isoformat().replace("+00:00", "Z"),
        "model": model or turn.model,
        "choices": choices,
        "usage": usage or _no_usage(),
        "guard": turn.guard,
        "router": turn.router,
    }
    if turn.request.echo:
        wire["messages"] = turn.sent or [*turn.history, *turn.new]
    return wire


async def persist(
    gateway: Gateway,
    turn: Turn,
    reply: dict[str, Any],
    wire: dict[str, Any],
    request_id: str | None,
) -> None:
    """Append the turn's messages and the reply to the chat (created on its first turn)."""
    scope, wanted = turn.scope, turn.request
    message = {k: v for k, v in reply.items() if v is not None} or {"role": "assistant"}
    async with gateway.runtime.write_sessions() as session:
        principal = scope.principal
        set_actor(
            session,
            actor_type="user",
            actor_id=principal.user_id,
            api_key_id=principal.api_key_id,
            request_id=request_id,
        )
        svc = ChatService(session, scope, gateway.runtime.cursors)
        if turn.is_new:
            chat = Chat(
                id=turn.chat_id,
                org_id=scope.org_id,
                space_id=scope.space_id,
                created_by=principal.user_id,
                name=wanted.name or chat_name(turn.new),
                messages=[],
            )
            session.add(chat)
        else:
            found = await svc.repo.get_by("id", turn.chat_id, lock=True)
            if found is None:
                raise NotFound(f"Chat '{turn.chat_id}' not found", code="chat_not_found")
            chat = found
            if wanted.name:
                chat.name = wanted.name
        chat.messages = [*(chat.messages or []), *turn.new, message]
        chat.model = turn.model
        chat.expert_ids = [str(i) for i in turn.expert_ids]
        chat.guard_enabled = turn.guard_enabled
        chat.router_enabled = turn.router_enabled
        chat.max_tokens = turn.max_tokens
        chat.temperature = turn.temperature
        chat.type = wanted.type or chat.type
        if wanted.tags:
            chat.tags = list(dict.fromkeys([*(chat.tags or []), *wanted.tags]))
        chat.last_response = wire
        chat.updated_at = utcnow()
        await session.commit()


serve_chat_turns(handle, TURN_FIELDS)
