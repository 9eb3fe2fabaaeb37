"""Calls on ``/v1/chat/completions`` that are not plain completions: seed 004's chat turns,
served by the copilot (``copilot.turns`` registers itself here). The gateway only checks, with
one set look-up over the body's keys it parses anyway, whether a call is a turn; a turn is then
the copilot's, with ``Idempotency-Key`` honoured as for any inference call."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from spacegate.auth.principal import Principal
from spacegate.gateway import idempotent
from spacegate.gateway.errors import GatewayError
from spacegate.kit import idempotency

if TYPE_CHECKING:
    from spacegate.gateway.service import Gateway

TurnHandler = Callable[
    ["Gateway", Request, Principal, uuid.UUID, dict[str, Any]], Awaitable[Response]
]
_handler: TurnHandler | None = None
_fields: frozenset[str] = frozenset()


def serve_chat_turns(handler: TurnHandler, fields: frozenset[str]) -> None:
    """Hand ``/v1/chat/completions`` calls whose body has any of ``fields`` to ``handler``,
    once the caller and its space are known; every other call stays on the hot path."""
    global _handler, _fields
    _handler, _fields = handler, fields


def is_turn(body: dict[str, Any]) -> bool:
    return _handler is not None and not _fields.isdisjoint(body)


class ChatTurn(Exception):
    def __init__(self, principal: Principal, space_id: uuid.UUID, body: dict[str, Any]) -> None:
        self.principal, self.space_id, self.body = principal, space_id, body


async def serve(gateway: Gateway, request: Request, turn: ChatTurn) -> Response:
    """The turn, answered once per ``Idempotency-Key``: a retry gets the stored answer without
    a second turn (nor a second bill)."""
    assert _handler is not None
    key = request.headers.get(idempotent.HEADER)
    if key is None:
        return await _handler(gateway, request, turn.principal, turn.space_id, turn.body)
    runtime = gateway.runtime
    try:
        claim = await idempotent.begin(runtime, request, turn.principal, key)
    except idempotency.Replay as replay:
        return replay.response
    except GatewayError as exc:
        return exc.response()
    try:
        response = await _handler(gateway, request, turn.principal, turn.space_id, turn.body)
    except BaseException:
        await idempotent.release(runtime, claim)
        raise
    return await idempotent.finish(runtime, claim, response, idempotent.done_ok)
