"""Chat Completions request → Anthropic Messages request."""

from __future__ import annotations

from typing import Any

import orjson

from spacegate.gateway.providers.errors import UnsupportedByProvider

#: Anthropic requires ``max_tokens``; OpenAI clients usually leave it out.
DEFAULT_MAX_TOKENS = 4096


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"
        )
    return ""


def _image(part: dict[str, Any]) -> dict[str, Any]:
    image = part.get("image_url")
    url = image.get("url", "") if isinstance(image, dict) else str(image or "")
    if url.startswith("data:") and ";base64," in url:
        media_type, data = url[5:].split(";base64,", 1)
        return {
            "type": "image",
            "source": {"type": "base64", "media_type": media_type, "data": data},
        }
    return {"type": "image", "source": {"type": "url", "url": url}}


def _blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    blocks: list[dict[str, Any]] = []
    for part in content or ():
        if not isinstance(part, dict):
            continue
        if part.get("type") == "text":
            blocks.append({"type": "text", "text": part.get("text", "")})
        elif part.get("type") == "image_url":
            blocks.append(_image(part))
        else:
            raise UnsupportedByProvider(
                f"Content parts of type '{part.get('type')}' are not supported by this model.",
                param="messages",
            )
    return blocks


def _arguments(raw: Any) -> Any:
    if not isinstance(raw, str):
        return raw or {}
    try:
        return orjson.loads(raw) if raw.strip() else {}
    except orjson.JSONDecodeError:
        raise UnsupportedByProvider(
            "Tool call arguments must be a JSON object.", param="messages"
        ) from None


def _turn(message: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    role = message.get("role")
    if role == "tool":
        result = {
            "type": "tool_result",
            "tool_use_id": message.get("tool_call_id", ""),
            "content": _text(message.get("content")),
        }
        return "user", [result]
    if role == "assistant":
        blocks = _blocks(message.get("content"))
        for call in message.get("tool_calls") or ():
            function = call.get("function") or {}
            blocks.append(
                {
                    "type": "tool_use",
                    "id": call.get("id", ""),
                    "name": function.get("name", ""),
                    "input": _arguments(function.get("arguments")),
                }
            )
        return "assistant", blocks
    return "user", _blocks(message.get("content"))


def _messages(messages: list[Any]) -> tuple[str, list[dict[str, Any]]]:
    system: list[str] = []
    turns: list[dict[str, Any]] = []
    for message in messages:
        if not isinstance(message, dict):
            continue
        if message.get("role") in ("system", "developer"):
            system.append(_text(message.get("content")))
            continue
        role, blocks = _turn(message)
        if not blocks:
            continue
        # Anthropic wants user and assistant turns to alternate, and all results of one round
        # of parallel tool calls in one user turn: consecutive same-role messages are merged.
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    return "\n\n".join(s for s in system if s), turns


def _tool_choice(choice: Any, parallel: Any) -> dict[str, Any] | None:
    result: dict[str, Any] | None
    if choice == "auto":
        result = {"type": "auto"}
    elif choice == "required":
        result = {"type": "any"}
    elif choice == "none":
        result = {"type": "none"}
    elif isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        result = {"type": "tool", "name": choice["function"].get("name", "")}
    else:
        result = None
    if parallel is False:
        result = result or {"type": "auto"}
        if result["type"] != "none":
            result["disable_parallel_tool_use"] = True
    return result


def to_messages(body: dict[str, Any], model: str, default_max_tokens: int) -> dict[str, Any]:
    if isinstance(body.get("n"), int) and body["n"] > 1:
        raise UnsupportedByProvider("This model returns one choice per request (n=1).", param="n")
    messages = body.get("messages")
    system, turns = _messages(messages if isinstance(messages, list) else [])
    request: dict[str, Any] = {
        "model": model,
        "messages": turns,
        "max_tokens": body.get("max_completion_tokens")
        or body.get("max_tokens")
        or default_max_tokens,
    }
    if system:
        request["system"] = system
    temperature = body.get("temperature")
    if isinstance(temperature, int | float):
        # OpenAI's range is 0-2, Anthropic's 0-1.
        request["temperature"] = min(float(temperature), 1.0)
    if body.get("top_p") is not None:
        request["top_p"] = body["top_p"]
    stop = body.get("stop")
    if stop:
        request["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    tools = [
        {
            "name": t["function"].get("name", ""),
            "description": t["function"].get("description", ""),
            "input_schema": t["function"].get("parameters") or {"type": "object", "properties": {}},
        }
        for t in body.get("tools") or ()
        if isinstance(t, dict) and isinstance(t.get("function"), dict)
    ]
    if tools:
        request["tools"] = tools
        choice = _tool_choice(body.get("tool_choice"), body.get("parallel_tool_calls"))
        if choice is not None:
            request["tool_choice"] = choice
    if isinstance(body.get("user"), str):
        request["metadata"] = {"user_id": body["user"]}
    if body.get("stream"):
        request["stream"] = True
    return request
