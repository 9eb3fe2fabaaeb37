"""OpenAI's wire format for the fake provider (also served at Azure OpenAI's URLs)."""

from __future__ import annotations

import base64
import hashlib
import struct
import time
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from tests.fakes.replies import Reply, echo, text_of, words

if TYPE_CHECKING:
    from tests.fakes.provider import Call

CREATED = 1_700_000_000
FINISH = {"stop": "stop", "stop_sequence": "stop", "length": "length"}


def error(
    status: int, message: str, code: str | None, kind: str = "invalid_request_error"
) -> Response:
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return JSONResponse(body, status_code=status)


def echo_key_message(key: str) -> str:
    masked = f"{key[:3]}{'*' * 12}{key[-4:]}" if len(key) > 8 else "***"
    return (
        f"Incorrect API key provided: {masked}. The key {key} is not valid for this "
        "organization. You can find your API key at https://platform.openai.com/account/api-keys."
    )


def misbehave(call: Call) -> Response | None:
    fake = call.fake
    if call.has("429"):
        response = error(429, "Rate limit reached for requests.", "rate_limit_exceeded", "requests")
        response.headers["Retry-After"] = fake.retry_after
        return response
    if call.has("500"):
        return error(
            500, "The server had an error while processing your request.", None, "server_error"
        )
    if call.has("401"):
        return error(401, echo_key_message(call.key), "invalid_api_key")
    if call.has("echo-key"):
        return error(400, echo_key_message(call.key), "invalid_api_key")
    if call.has("garbage"):
        return Response(b"<html>upstream proxy error \x00\xff", media_type="application/json")
    if call.has("redirect"):
        return RedirectResponse(f"{fake.url}/redirected", status_code=302)
    if call.has("huge"):
        head = b'{"id":"chatcmpl-huge","object":"chat.completion","created":1,"model":"m",'
        head += b'"choices":[{"index":0,"message":{"role":"assistant","content":"'
        return fake.huge(head, b'"},"finish_reason":"stop"}]}')
    return None


def _respond(call: Call, payload: dict[str, Any]) -> Response:
    if call.has("slow-drip"):
        return call.fake.drip(orjson.dumps(payload), "application/json")
    return Response(orjson.dumps(payload), media_type="application/json")


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def completion_body(model: str, text: str, prompt: int, completion: int) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "system_fingerprint": "fp_fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": _usage(prompt, completion),
    }


def _tool_call(call: Call) -> dict[str, Any] | None:
    tools = call.body.get("tools") or []
    choice = call.body.get("tool_choice")
    if not tools or choice == "none":
        return None
    if not (call.has("tool-call") or choice == "required" or isinstance(choice, dict)):
        return None
    name = tools[0]["function"]["name"]
    if isinstance(choice, dict):
        name = choice["function"]["name"]
    messages = call.body.get("messages") or []
    prompt = text_of(messages[-1].get("content")) if messages else ""
    arguments = orjson.dumps({"text": prompt}).decode()
    return {
        "id": f"call_{uuid.uuid4().hex[:10]}",
        "type": "function",
        "function": {"name": name, "arguments": arguments},
    }


def _chat_reply(call: Call) -> Reply:
    responder = call.fake.responder
    scripted = responder(call.body) if responder is not None else None
    if scripted is not None:
        return Reply(scripted, "stop")
    messages = call.body.get("messages") or []
    last = messages[-1] if messages else {}
    prefix = "Tool said: " if last.get("role") == "tool" else ""
    return echo(
        prefix + text_of(last.get("content")),
        max_tokens=call.body.get("max_completion_tokens") or call.body.get("max_tokens"),
        stop=call.body.get("stop"),
    )


def _chunk(
    base: dict[str, Any], delta: dict[str, Any], finish: str | None, usage_null: bool
) -> bytes:
    chunk = {
        **base,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }
    if usage_null:
        chunk["usage"] = None
    return b"data: " + orjson.dumps(chunk) + b"\n\n"


async def chat(call: Call) -> Response:
    body = call.body
    if not isinstance(body.get("messages"), list) or not body["messages"]:
        return error(400, "'messages' is a required property", None)
    prompt = sum(words(text_of(m.get("content"))) for m in body["messages"]) or 1
    tool = _tool_call(call)
    reply = _chat_reply(call)
    completion = words(tool["function"]["arguments"]) if tool else words(reply.text)
    with_usage = not call.has("no-usage")
    if body.get("stream"):
        include = bool((body.get("stream_options") or {}).get("include_usage")) and with_usage
        return call.fake.events(call, _chat_events(call, reply, tool, prompt, completion, include))
    payload = completion_body(call.model, reply.text, prompt, completion)
    choice = payload["choices"][0]
    choice["finish_reason"] = FINISH[reply.finish]
    if tool:
        choice["message"].update(content=None, tool_calls=[tool])
        choice["finish_reason"] = "tool_calls"
    if not with_usage:
        del payload["usage"]
    return _respond(call, payload)


def _chat_events(
    call: Call,
    reply: Reply,
    tool: dict[str, Any] | None,
    prompt: int,
    completion: int,
    include: bool,
) -> Iterator[bytes]:
    base = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": call.model,
        "system_fingerprint": "fp_fake",
    }
    yield _chunk(base, {"role": "assistant", "content": "", "refusal": None}, None, include)
    if tool:
        head = {
            "index": 0,
            "id": tool["id"],
            "type": "function",
            "function": {"name": tool["function"]["name"], "arguments": ""},
        }
        yield _chunk(base, {"tool_calls": [head]}, None, include)
        arguments = tool["function"]["arguments"]
        half = len(arguments) // 2
        for piece in (arguments[:half], arguments[half:]):
            yield _chunk(
                base,
                {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]},
                None,
                include,
            )
        yield _chunk(base, {}, "tool_calls", include)
    else:
        for piece in reply.pieces:
            yield _chunk(base, {"content": piece}, None, include)
        yield _chunk(base, {}, FINISH[reply.finish], include)
    if include:
        yield (
            b"data: "
            + orjson.dumps({**base, "choices": [], "usage": _usage(prompt, completion)})
            + b"\n\n"
        )
    yield b"data: [DONE]\n\n"


async def completions(call: Call) -> Response:
    body = call.body
    prompt_text = body.get("prompt")
    prompt_text = (
        prompt_text if isinstance(prompt_text, str) else " ".join(map(str, prompt_text or []))
    )
    reply = echo(prompt_text, max_tokens=body.get("max_tokens"), stop=body.get("stop"))
    prompt, completion = words(prompt_text) or 1, words(reply.text)
    base = {
        "id": f"cmpl-{uuid.uuid4().hex[:12]}",
        "object": "text_completion",
        "created": CREATED,
        "model": call.model,
    }
    with_usage = not call.has("no-usage")
    if body.get("stream"):
        include = bool((body.get("stream_options") or {}).get("include_usage")) and with_usage

        def events() -> Iterator[bytes]:
            for i, piece in enumerate(reply.pieces):
                last = i == len(reply.pieces) - 1
                choice = {
                    "text": piece,
                    "index": 0,
                    "logprobs": None,
                    "finish_reason": FINISH[reply.finish] if last else None,
                }
                chunk: dict[str, Any] = {**base, "choices": [choice]}
                if include:
                    chunk["usage"] = None
                yield b"data: " + orjson.dumps(chunk) + b"\n\n"
            if include:
                yield (
                    b"data: "
                    + orjson.dumps({**base, "choices": [], "usage": _usage(prompt, completion)})
                    + b"\n\n"
                )
            yield b"data: [DONE]\n\n"

        return call.fake.events(call, events())
    payload: dict[str, Any] = {
        **base,
        "choices": [
            {
                "text": reply.text,
                "index": 0,
                "logprobs": None,
                "finish_reason": FINISH[reply.finish],
            }
        ],
    }
    if with_usage:
        payload["usage"] = _usage(prompt, completion)
    return _respond(call, payload)


def _vector(text: str, dimensions: int) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    return [round((digest[i % len(digest)] - 128) / 128, 6) for i in range(dimensions)]


async def embeddings(call: Call) -> Response:
    source = call.body.get("input")
    inputs = [source] if isinstance(source, str) else list(source or [])
    dimensions = call.body.get("dimensions") or 8
    data = []
    for i, item in enumerate(inputs):
        embedder = call.fake.embedder
        vector = embedder(str(item)) if embedder is not None else _vector(str(item), dimensions)
        encoded: Any = vector
        if call.body.get("encoding_format") == "base64":
            encoded = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
        data.append({"object": "embedding", "index": i, "embedding": encoded})
    tokens = sum(words(str(item)) for item in inputs) or 1
    payload: dict[str, Any] = {"object": "list", "data": data, "model": call.model}
    if not call.has("no-usage"):
        payload["usage"] = {"prompt_tokens": tokens, "total_tokens": tokens}
    return _respond(call, payload)


async def models(request: Request) -> Response:
    del request
    names = ["gpt-fake", "gpt-fake-mini", "text-embedding-fake"]
    data = [{"id": n, "object": "model", "created": CREATED, "owned_by": "fake"} for n in names]
    return JSONResponse({"object": "list", "data": data})
