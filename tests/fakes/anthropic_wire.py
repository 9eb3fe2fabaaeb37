"""Anthropic's Messages API wire format for the fake provider, validated as strictly as the
real one where a translation mistake would show (roles, ``max_tokens``, version header)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import orjson
from starlette.responses import JSONResponse, RedirectResponse, Response

from tests.fakes.openai_wire import echo_key_message
from tests.fakes.replies import Reply, echo, text_of, words

if TYPE_CHECKING:
    from tests.fakes.provider import Call


def error(status: int, kind: str, message: str) -> Response:
    body = {"type": "error", "error": {"type": kind, "message": message}}
    return JSONResponse(body, status_code=status)


def misbehave(call: Call) -> Response | None:
    fake = call.fake
    if not call.key:
        return error(401, "authentication_error", "x-api-key header is required")
    if call.has("429"):
        response = error(
            429, "rate_limit_error", "Number of requests has exceeded your rate limit."
        )
        response.headers["Retry-After"] = fake.retry_after
        return response
    if call.has("500"):
        return error(500, "api_error", "Internal server error")
    if call.has("529"):
        return error(529, "overloaded_error", "Overloaded")
    if call.has("401"):
        return error(401, "authentication_error", echo_key_message(call.key))
    if call.has("echo-key"):
        return error(400, "invalid_request_error", echo_key_message(call.key))
    if call.has("garbage"):
        return Response(b"\x00not json at all", media_type="application/json")
    if call.has("redirect"):
        return RedirectResponse(f"{fake.url}/redirected", status_code=302)
    if call.has("huge"):
        head = b'{"id":"msg_huge","type":"message","role":"assistant",'
        head += b'"content":[{"type":"text","text":"'
        return fake.huge(head, b'"}],"stop_reason":"end_turn"}')
    return None


def _invalid(call: Call) -> Response | None:
    if call.request.headers.get("anthropic-version") is None:
        return error(400, "invalid_request_error", "anthropic-version: header is required")
    body = call.body
    if not isinstance(body.get("max_tokens"), int):
        return error(400, "invalid_request_error", "max_tokens: Field required")
    for i, message in enumerate(body.get("messages") or []):
        if message.get("role") not in ("user", "assistant"):
            return error(
                400,
                "invalid_request_error",
                f'messages.{i}.role: Input should be "user" or "assistant"',
            )
    if not body.get("messages"):
        return error(400, "invalid_request_error", "messages: Field required")
    return None


def _tool_use(call: Call) -> dict[str, Any] | None:
    tools = call.body.get("tools") or []
    choice = call.body.get("tool_choice") or {}
    if not tools or choice.get("type") == "none":
        return None
    if not (call.has("tool-call") or choice.get("type") in ("any", "tool")):
        return None
    name = choice["name"] if choice.get("type") == "tool" else tools[0]["name"]
    prompt = text_of(call.body["messages"][-1].get("content"))
    return {
        "type": "tool_use",
        "id": f"toolu_{uuid.uuid4().hex[:12]}",
        "name": name,
        "input": {"text": prompt},
    }


def _reply(call: Call) -> Reply:
    last = call.body["messages"][-1]
    content = last.get("content")
    is_result = isinstance(content, list) and any(
        isinstance(b, dict) and b.get("type") == "tool_result" for b in content
    )
    return echo(
        ("Tool said: " if is_result else "") + text_of(content),
        max_tokens=call.body.get("max_tokens"),
        stop=call.body.get("stop_sequences"),
    )


def _input_tokens(body: dict[str, Any]) -> int:
    system = body.get("system")
    total = words(system if isinstance(system, str) else text_of(system))
    return total + sum(words(text_of(m.get("content"))) for m in body["messages"]) or 1


STOP = {"stop": "end_turn", "length": "max_tokens", "stop_sequence": "stop_sequence"}


async def messages(call: Call) -> Response:
    invalid = _invalid(call)
    if invalid is not None:
        return invalid
    tool = _tool_use(call)
    reply = _reply(call)
    input_tokens = _input_tokens(call.body)
    output_tokens = words(orjson.dumps(tool["input"]).decode()) if tool else words(reply.text)
    stop_reason = "tool_use" if tool else STOP[reply.finish]
    if call.body.get("stream"):
        events = _events(call, reply, tool, stop_reason, input_tokens, output_tokens)
        return call.fake.events(call, events)
    content: list[dict[str, Any]] = [tool] if tool else [{"type": "text", "text": reply.text}]
    payload: dict[str, Any] = {
        "id": f"msg_{uuid.uuid4().hex[:12]}",
        "type": "message",
        "role": "assistant",
        "model": call.model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": reply.stop_sequence if not tool else None,
        "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
    }
    if call.has("no-usage"):
        del payload["usage"]
    if call.has("slow-drip"):
        return call.fake.drip(orjson.dumps(payload), "application/json")
    return Response(orjson.dumps(payload), media_type="application/json")


def _event(kind: str, data: dict[str, Any]) -> bytes:
    return f"event: {kind}\n".encode() + b"data: " + orjson.dumps({"type": kind, **data}) + b"\n\n"


def _events(
    call: Call,
    reply: Reply,
    tool: dict[str, Any] | None,
    stop_reason: str,
    input_tokens: int,
    output_tokens: int,
) -> Iterator[bytes]:
    usage = not call.has("no-usage")
    message: dict[str, Any] = {
        "id": f"msg_{uuid.uuid4().hex[:12]}",
        "type": "message",
        "role": "assistant",
        "model": call.model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
    }
    if usage:
        message["usage"] = {"input_tokens": input_tokens, "output_tokens": 1}
    yield _event("message_start", {"message": message})
    yield _event("ping", {})
    if tool:
        start = {**tool, "input": {}}
        yield _event("content_block_start", {"index": 0, "content_block": start})
        arguments = orjson.dumps(tool["input"]).decode()
        half = len(arguments) // 2
        for piece in (arguments[:half], arguments[half:]):
            json_delta = {"type": "input_json_delta", "partial_json": piece}
            yield _event("content_block_delta", {"index": 0, "delta": json_delta})
    else:
        yield _event(
            "content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}
        )
        for i, piece in enumerate(reply.pieces):
            yield _event(
                "content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": piece}}
            )
            if i == 0 and call.has("stream-error"):
                overloaded = {"type": "overloaded_error", "message": f"Overloaded {call.key}"}
                yield _event("error", {"error": overloaded})
                return
    yield _event("content_block_stop", {"index": 0})
    delta: dict[str, Any] = {
        "delta": {"stop_reason": stop_reason, "stop_sequence": reply.stop_sequence}
    }
    if usage:
        delta["usage"] = {"output_tokens": output_tokens}
    yield _event("message_delta", delta)
    yield _event("message_stop", {})
