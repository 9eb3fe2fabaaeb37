"""Reading token usage from upstream answers, and estimating it when they carry none.

The estimate is the usual rough rule of about four characters per token, plus a few tokens of
framing per message. It only exists so that metering and budgets never see a free call; rows
built from it are marked ``estimated``.
"""

from __future__ import annotations

from typing import Any

from spacegate.gateway.providers.base import Usage

_CHARS_PER_TOKEN = 4
_TOKENS_PER_MESSAGE = 4


def _count(value: Any) -> int | None:
    # bool is an int subclass; a negative or non-integer count is a broken upstream, not data.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def parse_usage(raw: Any) -> Usage | None:
    """OpenAI-shaped usage, or None when missing or not trustworthy."""
    if not isinstance(raw, dict):
        return None
    prompt = _count(raw.get("prompt_tokens"))
    completion = _count(raw.get("completion_tokens", 0))
    if prompt is None or completion is None:
        return None
    total = _count(raw.get("total_tokens"))
    if total is None or total < prompt + completion:
        total = prompt + completion
    return Usage(prompt, completion, total)


def _tokens(chars: int) -> int:
    return (chars + _CHARS_PER_TOKEN - 1) // _CHARS_PER_TOKEN


def _text_chars(content: Any) -> int:
    if isinstance(content, str):
        return len(content)
    if isinstance(content, list):
        total = 0
        for part in content:
            if isinstance(part, str):
                total += len(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                total += len(part["text"])
        return total
    return 0


def estimate_prompt(endpoint: str, body: dict[str, Any]) -> int:
    if endpoint == "chat.completions":
        messages = body.get("messages")
        if not isinstance(messages, list):
            return 0
        chars = 0
        for message in messages:
            if isinstance(message, dict):
                chars += _text_chars(message.get("content"))
                for call in message.get("tool_calls") or ():
                    if isinstance(call, dict):
                        chars += len(str((call.get("function") or {}).get("arguments", "")))
        return _tokens(chars) + _TOKENS_PER_MESSAGE * len(messages)
    source = body.get("prompt") if endpoint == "completions" else body.get("input")
    if isinstance(source, list) and source and all(isinstance(t, int) for t in source):
        return len(source)  # already tokens
    if isinstance(source, list) and source and all(isinstance(t, list) for t in source):
        return sum(len(t) for t in source)
    return _tokens(_text_chars(source))


def estimate_completion(endpoint: str, answer: dict[str, Any]) -> int:
    if endpoint == "embeddings":
        return 0
    chars = 0
    for choice in answer.get("choices") or ():
        if not isinstance(choice, dict):
            continue
        if endpoint == "completions":
            chars += _text_chars(choice.get("text"))
            continue
        message = choice.get("message") or {}
        chars += _text_chars(message.get("content"))
        for call in message.get("tool_calls") or ():
            if isinstance(call, dict):
                chars += len(str((call.get("function") or {}).get("arguments", "")))
    return _tokens(chars)


def estimated(prompt: int, completion: int) -> Usage:
    return Usage(prompt, completion, prompt + completion, estimated=True)
