"""A chat turn retried with the same Idempotency-Key gets the stored answer: the copilot does
not run the turn again (no second model call, no second saved message), streamed or not."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.copilot.test_turns import script
from tests.factories import Caller
from tests.fakes.provider import FakeProvider


def _turn(**extra: Any) -> dict[str, Any]:
    return {
        "model": "chatty",
        "messages": [{"role": "user", "content": "What does my card cost?"}],
        "guard_enabled": True,
        **extra,
    }


def _chat_calls(fake: FakeProvider) -> int:
    return sum(1 for r in fake.requests if r.path.endswith("/chat/completions"))


async def test_a_retried_turn_is_replayed_not_run_again(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    fake.responder = script(answer="Ten euros a year.")
    h = {**caller.headers, "Idempotency-Key": uuid.uuid4().hex}
    first = await http.post("/v1/chat/completions", json=_turn(), headers=h)
    assert first.status_code == 200, first.text
    calls = _chat_calls(fake)
    assert calls == 2  # the guard's and the answer's
    again = await http.post("/v1/chat/completions", json=_turn(), headers=h)
    assert again.status_code == 200, again.text
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json() == first.json()
    assert _chat_calls(fake) == calls
    chat = (await http.get(f"/v1/chats/{first.json()['id']}", headers=caller.headers)).json()
    assert [m["role"] for m in chat["messages"]] == ["user", "assistant"]

    # The same key with another body is refused, naming the header.
    other = await http.post("/v1/chat/completions", json=_turn(guard_enabled=False), headers=h)
    assert other.status_code == 422, other.text
    assert "Idempotency-Key" in other.text


async def test_a_retried_streamed_turn_replays_the_same_events(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    fake.responder = script(answer="Ten euros a year.")
    h = {**caller.headers, "Idempotency-Key": uuid.uuid4().hex}
    first = await http.post("/v1/chat/completions", json=_turn(stream=True), headers=h)
    assert first.status_code == 200, first.text
    assert first.text.rstrip().endswith("data: [DONE]")
    calls = _chat_calls(fake)
    again = await http.post("/v1/chat/completions", json=_turn(stream=True), headers=h)
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.text == first.text
    assert _chat_calls(fake) == calls
