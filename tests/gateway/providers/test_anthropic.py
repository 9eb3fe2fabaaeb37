"""The ``anthropic`` protocol: Chat Completions translated to the Messages API and back."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from spacegate.gateway.providers import (
    ProviderResponse,
    ProviderStream,
    UnsupportedByProvider,
    send,
)
from tests.fakes.provider import FakeProvider
from tests.gateway.providers.conftest import KEY, drain, text_of, upstream

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


async def _chat(
    fake: FakeProvider, http: httpx.AsyncClient, body: dict[str, Any]
) -> dict[str, Any]:
    result = await send(
        http, upstream(fake, "anthropic", "claude-fake"), "chat.completions", body, stream=False
    )
    assert isinstance(result, ProviderResponse)
    answer: dict[str, Any] = orjson.loads(result.body)
    answer["_usage"] = result.usage
    return answer


async def test_request_translation(fake: FakeProvider, http: httpx.AsyncClient) -> None:
    body = {
        "model": "alias",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "developer", "content": [{"type": "text", "text": "Be kind."}]},
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": [{"type": "text", "text": "second"}]},
        ],
        "temperature": 1.7,
        "top_p": 0.9,
        "stop": "never-said",
        "user": "u-42",
    }
    answer = await _chat(fake, http, body)

    sent = fake.last
    assert sent.path == "/v1/messages"
    assert sent.headers["x-api-key"] == KEY
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in sent.headers
    assert sent.json() == {
        "model": "claude-fake",
        "system": "Be brief.\n\nBe kind.",
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "first"}]},
            {"role": "assistant", "content": [{"type": "text", "text": "ok"}]},
            {"role": "user", "content": [{"type": "text", "text": "second"}]},
        ],
        "max_tokens": 4096,
        "temperature": 1.0,
        "top_p": 0.9,
        "stop_sequences": ["never-said"],
        "metadata": {"user_id": "u-42"},
    }
    assert answer["object"] == "chat.completion"
    assert answer["choices"][0]["message"] == {
        "role": "assistant",
        "content": "Echo: second",
        "refusal": None,
    }
    assert answer["choices"][0]["finish_reason"] == "stop"
    # input = system + every message (words), output = reply words.
    assert answer["usage"] == {"prompt_tokens": 7, "completion_tokens": 2, "total_tokens": 9}
    assert not answer["_usage"].estimated


@pytest.mark.parametrize(
    ("extra", "content", "finish"),
    [
        ({"max_tokens": 2}, "Echo: one", "length"),
        ({"max_completion_tokens": 2}, "Echo: one", "length"),
        ({"stop": ["three"]}, "Echo: one two ", "stop"),
        ({}, "Echo: one two three", "stop"),
    ],
)
async def test_stop_reasons(
    fake: FakeProvider,
    http: httpx.AsyncClient,
    extra: dict[str, Any],
    content: str,
    finish: str,
) -> None:
    body = {"messages": [{"role": "user", "content": "one two three"}], **extra}
    answer = await _chat(fake, http, body)
    assert answer["choices"][0]["message"]["content"] == content
    assert answer["choices"][0]["finish_reason"] == finish
    if "max_tokens" in extra or "max_completion_tokens" in extra:
        assert fake.last.json()["max_tokens"] == 2


async def test_tool_call_round_trip(fake: FakeProvider, http: httpx.AsyncClient) -> None:
    ask = {
        "messages": [{"role": "user", "content": "Paris"}],
        "tools": [WEATHER],
        "tool_choice": "required",
        "parallel_tool_calls": False,
    }
    answer = await _chat(fake, http, ask)

    assert fake.last.json()["tools"] == [
        {
            "name": "get_weather",
            "description": "Weather in a city",
            "input_schema": WEATHER["function"]["parameters"],  # type: ignore[index]
        }
    ]
    assert fake.last.json()["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}
    choice = answer["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    [call] = choice["message"]["tool_calls"]
    assert call["type"] == "function"
    assert call["function"]["name"] == "get_weather"
    assert orjson.loads(call["function"]["arguments"]) == {"text": "Paris"}

    follow_up = {
        "messages": [
            {"role": "user", "content": "Paris"},
            choice["message"],
            {"role": "tool", "tool_call_id": call["id"], "content": "sunny"},
        ],
        "tools": [WEATHER],
        "tool_choice": "auto",
    }
    answer = await _chat(fake, http, follow_up)
    sent = fake.last.json()
    assert sent["tool_choice"] == {"type": "auto"}
    assert sent["messages"][1] == {
        "role": "assistant",
        "content": [
            {
                "type": "tool_use",
                "id": call["id"],
                "name": "get_weather",
                "input": {"text": "Paris"},
            }
        ],
    }
    assert sent["messages"][2] == {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": call["id"], "content": "sunny"}],
    }
    assert answer["choices"][0]["message"]["content"] == "Echo: Tool said: sunny"


async def test_named_tool_choice(fake: FakeProvider, http: httpx.AsyncClient) -> None:
    body = {
        "messages": [{"role": "user", "content": "Rome"}],
        "tools": [WEATHER],
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
    }
    answer = await _chat(fake, http, body)
    assert fake.last.json()["tool_choice"] == {"type": "tool", "name": "get_weather"}
    assert answer["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_weather"


async def test_stream_translation(fake: FakeProvider, http: httpx.AsyncClient) -> None:
    body = {
        "messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": "a b c"}],
        "stream_options": {"include_usage": True},
    }
    result = await send(http, upstream(fake, "anthropic"), "chat.completions", body, stream=True)
    assert isinstance(result, ProviderStream)
    events = await drain(result)

    assert fake.last.json()["stream"] is True
    assert events[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert all(e["object"] == "chat.completion.chunk" for e in events[:-1])
    assert text_of(events) == "Echo: a b c"
    assert events[-3]["choices"][0]["finish_reason"] == "stop"
    assert events[-2]["choices"] == []
    assert events[-2]["usage"] == {"prompt_tokens": 4, "completion_tokens": 4, "total_tokens": 8}
    assert events[-1] == "[DONE]"
    assert result.usage.total_tokens == 8
    assert not result.usage.estimated


async def test_stream_without_usage_request_has_no_usage_chunk(
    fake: FakeProvider, http: httpx.AsyncClient
) -> None:
    body = {"messages": [{"role": "user", "content": "a b c"}], "max_tokens": 2}
    result = await send(http, upstream(fake, "anthropic"), "chat.completions", body, stream=True)
    assert isinstance(result, ProviderStream)
    events = await drain(result)
    assert all(e == "[DONE]" or (e["choices"] and "usage" not in e) for e in events)
    assert events[-2]["choices"][0]["finish_reason"] == "length"
    # Still metered from upstream's own count.
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (3, 2)


async def test_stream_tool_calls(fake: FakeProvider, http: httpx.AsyncClient) -> None:
    body = {"messages": [{"role": "user", "content": "Oslo"}], "tools": [WEATHER]}
    up = upstream(fake, "anthropic", "claude-fake+tool-call")
    result = await send(http, up, "chat.completions", body, stream=True)
    assert isinstance(result, ProviderStream)
    events = await drain(result)

    deltas = [e["choices"][0]["delta"] for e in events if e != "[DONE]" and e["choices"]]
    calls = [d["tool_calls"][0] for d in deltas if "tool_calls" in d]
    assert calls[0]["id"].startswith("toolu_")
    assert calls[0]["function"]["name"] == "get_weather"
    assert all(c["index"] == 0 for c in calls)
    arguments = "".join(c["function"]["arguments"] for c in calls)
    assert orjson.loads(arguments) == {"text": "Oslo"}
    assert events[-2]["choices"][0]["finish_reason"] == "tool_calls"


async def test_stream_error_event_ends_the_stream_with_an_openai_error(
    fake: FakeProvider, http: httpx.AsyncClient
) -> None:
    up = upstream(fake, "anthropic", "claude-fake+stream-error")
    body = {"messages": [{"role": "user", "content": "a b c"}]}
    result = await send(http, up, "chat.completions", body, stream=True)
    assert isinstance(result, ProviderStream)
    raw = b"".join([chunk async for chunk in result])
    events = [orjson.loads(b[6:]) for b in raw.split(b"\n\n") if b.strip()]

    assert "error" in events[-1]
    assert events[-1]["error"]["type"] == "overloaded_error"
    assert KEY.encode() not in raw
    assert result.error is not None
    assert result.error.retryable
    # What was generated before the error still counts.
    assert result.usage.prompt_tokens == 3


async def test_missing_usage_is_estimated(fake: FakeProvider, http: httpx.AsyncClient) -> None:
    up = upstream(fake, "anthropic", "claude-fake+no-usage")
    body = {"messages": [{"role": "user", "content": "y" * 80}]}
    result = await send(http, up, "chat.completions", body, stream=False)
    assert isinstance(result, ProviderResponse)
    assert result.usage.estimated
    assert result.usage.prompt_tokens >= 20
    assert orjson.loads(result.body)["usage"]["prompt_tokens"] == result.usage.prompt_tokens


@pytest.mark.parametrize("endpoint", ["completions", "embeddings"])
async def test_other_endpoints_are_unsupported(
    fake: FakeProvider, http: httpx.AsyncClient, endpoint: str
) -> None:
    with pytest.raises(UnsupportedByProvider) as caught:
        await send(http, upstream(fake, "anthropic"), endpoint, {"input": "x"}, stream=False)  # type: ignore[arg-type]
    assert caught.value.status == 400
    assert "does not support" in caught.value.body()["error"]["message"]
    assert fake.requests == []
