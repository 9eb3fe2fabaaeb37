"""A streamed chat turn: OpenAI's SSE chunks, each carrying the chat id as ``id``; the first
carries ``guard{}`` and ``router{}``. The guard and the router answer before the stream opens
(a refusal by either is an error status, not a broken stream); the reply is saved at its end."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.responses import StreamingResponse

from spacegate.copilot.turns import Turn, answer_body, persist, refusal_choice, response
from spacegate.errors import AppError
from spacegate.gateway.service import Gateway


def _sse(data: dict[str, Any]) -> bytes:
    return b"data: " + orjson.dumps(data) + b"\n\n"


class _Reply:
    """The streamed message, put together from its deltas."""

    def __init__(self) -> None:
        self.content: list[str] = []
        self.tool_calls: dict[int, dict[str, Any]] = {}
        self.finish_reason: str | None = None
        self.usage: dict[str, Any] | None = None
        self.model: str | None = None

    def add(self, chunk: dict[str, Any]) -> None:
        self.model = chunk.get("model") or self.model
        if chunk.get("usage"):
            self.usage = chunk["usage"]
        for choice in chunk.get("choices") or ():
            delta = choice.get("delta") or {}
            if isinstance(delta.get("content"), str):
                self.content.append(delta["content"])
            for call in delta.get("tool_calls") or ():
                slot = self.tool_calls.setdefault(
                    int(call.get("index", 0)),
                    {"id": None, "type": "function", "function": {"name": "", "arguments": ""}},
                )
                slot["id"] = call.get("id") or slot["id"]
                fn = call.get("function") or {}
                slot["function"]["name"] += fn.get("name") or ""
                slot["function"]["arguments"] += fn.get("arguments") or ""
            if choice.get("finish_reason"):
                self.finish_reason = choice["finish_reason"]

    def message(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": "".join(self.content) or None}
        if self.tool_calls:
            message["tool_calls"] = [self.tool_calls[i] for i in sorted(self.tool_calls)]
        return message


async def stream_turn(gateway: Gateway, turn: Turn, request_id: str | None) -> StreamingResponse:
    base = {
        "id": str(turn.chat_id),
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": turn.model,
    }
    head = {
        **base,
        "choices": [
            {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}
        ],
        "guard": turn.guard,
        "router": turn.router,
    }
    reply = _Reply()
    if turn.guard and not turn.guard["safe"]:
        choice = refusal_choice(turn.guard)
        guard_model: str | None = turn.guard.get("model") or turn.model
        refused = {
            **base,
            "model": guard_model,
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "content": choice["message"]["content"],
                        "refusal": choice["message"]["refusal"],
                    },
                    "finish_reason": "content_filter",
                }
            ],
        }

        async def refusal() -> AsyncIterator[bytes]:
            yield _sse(head)
            yield _sse(refused)
            wire = response(turn, [choice], guard_model, None)
            await persist(gateway, turn, choice["message"], wire, request_id)
            yield b"data: [DONE]\n\n"

        return StreamingResponse(refusal(), media_type="text/event-stream")

    body = answer_body(turn)
    client_wants_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    body["stream_options"] = {**(body.get("stream_options") or {}), "include_usage": True}
    chunks = turn.client.labelled(step_type="inference").stream(body).__aiter__()
    first = await anext(chunks, None)  # a refused or failed call is an error status, not a stream

    async def events() -> AsyncIterator[bytes]:
        yield _sse(head)
        pending = [first] if first is not None else []
        try:
            while True:
                chunk = pending.pop() if pending else await anext(chunks, None)
                if chunk is None:
                    break
                reply.add(chunk)
                if not chunk.get("choices") and not client_wants_usage:
                    continue
                yield _sse({**chunk, "id": str(turn.chat_id)})
        except AppError as exc:
            yield _sse({"error": {"message": exc.message, "type": "api_error", "code": exc.code}})
            return
        message = reply.message()
        choice = {"index": 0, "message": message, "finish_reason": reply.finish_reason}
        wire = response(turn, [choice], reply.model, reply.usage)
        await persist(gateway, turn, message, wire, request_id)
        yield b"data: [DONE]\n\n"

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )
