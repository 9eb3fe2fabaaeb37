"""Anthropic Messages answers → Chat Completions answers, whole and streamed."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import orjson

from spacegate.gateway.providers.base import ProviderStream, Usage
from spacegate.gateway.providers.errors import UpstreamBadResponse, UpstreamServerError
from spacegate.gateway.providers.scrub import scrub
from spacegate.gateway.providers.sse import (
    DONE,
    EventBuffer,
    data_event,
    event_fields,
    split_events,
)
from spacegate.gateway.providers.usage import parse_usage

FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "pause_turn": "stop",
    "refusal": "content_filter",
}


def _finish(reason: Any) -> str | None:
    return FINISH_REASONS.get(reason, "stop") if reason else None


def _prompt_tokens(usage: dict[str, Any]) -> Any:
    # Cached prompt tokens are reported apart from input_tokens, but they are prompt tokens.
    total = usage.get("input_tokens")
    for extra in ("cache_creation_input_tokens", "cache_read_input_tokens"):
        value = usage.get(extra)
        if isinstance(total, int) and isinstance(value, int) and value > 0:
            total += value
    return total


def usage_of(raw: Any) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    return parse_usage(
        {"prompt_tokens": _prompt_tokens(raw), "completion_tokens": raw.get("output_tokens")}
    )


def openai_usage(usage: Usage) -> dict[str, int]:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }


def from_message(message: dict[str, Any]) -> dict[str, Any]:
    """The answer without ``usage``, which the caller settles (reported or estimated)."""
    text: list[str] = []
    calls: list[dict[str, Any]] = []
    for block in message.get("content") or ():
        if not isinstance(block, dict):
            continue
        if block.get("type") == "text":
            text.append(str(block.get("text", "")))
        elif block.get("type") == "tool_use":
            calls.append(
                {
                    "id": block.get("id", ""),
                    "type": "function",
                    "function": {
                        "name": block.get("name", ""),
                        "arguments": orjson.dumps(block.get("input", {})).decode(),
                    },
                }
            )
    reply: dict[str, Any] = {
        "role": "assistant",
        "content": "".join(text) if text or not calls else None,
        "refusal": None,
    }
    if calls:
        reply["tool_calls"] = calls
    return {
        "id": message.get("id", ""),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": message.get("model", ""),
        "choices": [
            {
                "index": 0,
                "message": reply,
                "logprobs": None,
                "finish_reason": _finish(message.get("stop_reason")) or "stop",
            }
        ],
    }


class AnthropicStream(ProviderStream):
    """Anthropic's event stream re-emitted as ``chat.completion.chunk`` events."""

    def __init__(self, *args: Any, client_wants_usage: bool) -> None:
        super().__init__(*args)
        self._client_wants_usage = client_wants_usage
        self._id = ""
        self._model = ""
        self._created = int(time.time())
        self._prompt: Any = None
        self._completion: Any = None
        #: Anthropic content block index → OpenAI tool call index.
        self._tools: dict[int, int] = {}

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> bytes:
        chunk: dict[str, Any] = {
            "id": self._id,
            "object": "chat.completion.chunk",
            "created": self._created,
            "model": self._model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if self._client_wants_usage:
            chunk["usage"] = None
        return data_event(chunk)

    def _record_usage(self, raw: Any, *, final: bool) -> None:
        if not isinstance(raw, dict):
            return
        prompt = _prompt_tokens(raw)
        if prompt is not None:
            self._prompt = prompt
        if raw.get("output_tokens") is not None:
            self._completion = raw["output_tokens"]  # cumulative, the last one counts
        if final:
            self._reported = parse_usage(
                {"prompt_tokens": self._prompt, "completion_tokens": self._completion}
            )

    @property
    def usage(self) -> Usage:
        if self._reported is not None:
            return self._reported
        # Cut short before message_delta: the prompt count from message_start is exact, the
        # output count there is only a placeholder, so the output is estimated from the text.
        partial = parse_usage({"prompt_tokens": self._prompt, "completion_tokens": 0})
        prompt = partial.prompt_tokens if partial else self._estimate_prompt()
        completion = (self._output_chars + 3) // 4
        return Usage(prompt, completion, prompt + completion, estimated=True)

    def _on_event(self, kind: str, event: dict[str, Any]) -> bytes:
        if kind == "message_start":
            message = event.get("message") or {}
            self._id = str(message.get("id", ""))
            self._model = str(message.get("model", ""))
            self._record_usage(message.get("usage"), final=False)
            return self._chunk({"role": "assistant", "content": ""})
        if kind == "content_block_start":
            block = event.get("content_block") or {}
            if block.get("type") == "tool_use":
                index = self._tools.setdefault(event.get("index", 0), len(self._tools))
                call = {
                    "index": index,
                    "id": block.get("id", ""),
                    "type": "function",
                    "function": {"name": block.get("name", ""), "arguments": ""},
                }
                return self._chunk({"tool_calls": [call]})
            if block.get("type") == "text" and block.get("text"):
                self._output_chars += len(block["text"])
                return self._chunk({"content": block["text"]})
            return b""
        if kind == "content_block_delta":
            delta = event.get("delta") or {}
            if delta.get("type") == "text_delta":
                text = str(delta.get("text", ""))
                self._output_chars += len(text)
                return self._chunk({"content": text})
            if delta.get("type") == "input_json_delta":
                partial = str(delta.get("partial_json", ""))
                self._output_chars += len(partial)
                index = self._tools.get(event.get("index", 0), 0)
                call = {"index": index, "function": {"arguments": partial}}
                return self._chunk({"tool_calls": [call]})
            return b""  # thinking and signature deltas have no Chat Completions form
        if kind == "message_delta":
            self._record_usage(event.get("usage"), final=True)
            reason = (event.get("delta") or {}).get("stop_reason")
            return self._chunk({}, _finish(reason) or "stop") if reason else b""
        if kind == "message_stop":
            tail = b""
            if self._client_wants_usage:
                final = {
                    "id": self._id,
                    "object": "chat.completion.chunk",
                    "created": self._created,
                    "model": self._model,
                    "choices": [],
                    "usage": openai_usage(self.usage),
                }
                tail = data_event(final)
            return tail + DONE
        if kind == "error":
            error = event.get("error") or {}
            message = scrub(str(error.get("message", "")), self._upstream.api_key)[:1000]
            raise UpstreamServerError(
                f"The upstream provider failed mid-stream: {message}".rstrip(": "),
                error_type=str(error.get("type")) if error.get("type") else None,
            )
        return b""  # ping, and event types added later

    async def _translate(self, upstream: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        events = EventBuffer()
        finished = False
        async for chunk in upstream:
            block = events.feed(chunk)
            if not block:
                continue
            out: list[bytes] = []
            for raw in split_events(block):
                name, data = event_fields(raw)
                try:
                    event = orjson.loads(data)
                except orjson.JSONDecodeError:
                    raise UpstreamBadResponse(
                        "The upstream provider sent a malformed stream event."
                    ) from None
                if not isinstance(event, dict):
                    raise UpstreamBadResponse(
                        "The upstream provider sent a malformed stream event."
                    )
                kind = str(event.get("type") or name or "")
                out.append(self._on_event(kind, event))
                finished = finished or kind == "message_stop"
            joined = b"".join(out)
            if joined:
                yield joined
        if not finished:
            raise UpstreamBadResponse("The upstream provider ended the stream early.")
