"""Chat turns on /v1/chat/completions: guarded, routed, answered with the chosen expert, saved,
every model call in the inference log as the caller with its step type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import orjson

from tests.copilot.conftest import logs
from tests.factories import Caller
from tests.fakes.provider import FakeProvider

SAFE = '{"guard_safe": true, "guard_category": [], "guard_reasoning": "A plain question."}'
UNSAFE = (
    '{"guard_safe": false, "guard_category": ["Money laundering"], '
    '"guard_reasoning": "Asks how to hide the origin of funds.", "category_suggestions": '
    '[{"macro_category": "financial crime", "sub_category": "money laundering", '
    '"justification": "structuring deposits"}]}'
)


def script(
    guard: str = SAFE, router: str | None = None, answer: str = "Here is the answer."
) -> Callable[[dict[str, Any]], str | None]:
    """Scripted replies by the call they answer: the guard's, the router's, the answer."""

    def respond(body: dict[str, Any]) -> str | None:
        name = ((body.get("response_format") or {}).get("json_schema") or {}).get("name")
        if name == "guard":
            return guard
        if name == "router":
            return router
        return answer

    return respond


async def _expert(http: httpx.AsyncClient, caller: Caller, name: str, **extra: Any) -> str:
    r = await http.post(
        "/v1/experts",
        json={"name": name, "description": f"{name} questions", **extra},
        headers=caller.headers,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _answer_calls(fake: FakeProvider) -> list[dict[str, Any]]:
    bodies = [orjson.loads(r.body) for r in fake.requests if r.path.endswith("/chat/completions")]
    return [b for b in bodies if "response_format" not in b]


async def test_a_guarded_routed_turn_answers_with_the_chosen_expert_and_is_saved(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    await _expert(http, caller, "mortgages", context="You explain mortgages.")
    cards = await _expert(
        http,
        caller,
        "cards",
        context="You explain credit cards.",
        file_context=[{"name": "fees", "text": "The annual fee is 10 EUR."}],
    )
    fake.responder = script(
        router='{"chosen_expertises": ["cards"], "search_query": ["card fee"], '
        '"select_expertise_answer": "The user asks about a card."}'
    )
    r = await http.post(
        "/v1/chat/completions",
        json={
            "model": "chatty",
            "messages": [{"role": "user", "content": "What does my card cost?"}],
            "guard_enabled": True,
            "guard_reasoning_enabled": True,
            "router_enabled": True,
            "router_reasoning_enabled": True,
            "tags": ["support"],
        },
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    turn = r.json()
    assert set(turn) >= {
        "id",
        "object",
        "model",
        "created_at",
        "choices",
        "usage",
        "guard",
        "router",
    }
    assert turn["choices"][0]["message"]["content"] == "Here is the answer."
    assert turn["guard"]["guard_safe"] is True
    assert turn["guard"]["guard_category"] == []
    assert turn["guard"]["guard_reasoning"] == "A plain question."
    assert turn["router"]["chosen_expertises"] == ["cards"]
    assert turn["router"]["expert_id"] == cards
    assert turn["router"]["select_expertise_answer"] == "The user asks about a card."
    names = [p["name"] for p in turn["router"]["potential_expertises"]]
    assert names == ["mortgages", "cards", "discovering"]
    [sent] = _answer_calls(fake)
    assert sent["messages"][0]["role"] == "system"
    assert "You explain credit cards." in sent["messages"][0]["content"]
    assert "The annual fee is 10 EUR." in sent["messages"][0]["content"]
    assert sent["messages"][-1] == {"role": "user", "content": "What does my card cost?"}

    chat = (await http.get(f"/v1/chats/{turn['id']}", headers=caller.headers)).json()
    assert chat["name"] == "What does my card cost?"
    assert [m["role"] for m in chat["messages"]] == ["user", "assistant"]
    assert chat["messages"][1]["content"] == "Here is the answer."
    assert chat["guard_enabled"] is True
    assert chat["tags"] == ["support"]

    rows = await logs(http, caller, 3, correlation_id=turn["id"])
    assert sorted(r["step_type"] for r in rows) == ["guard", "inference", "router"]
    assert {r["user_id"] for r in rows} == {caller.org.user_id}
    assert all(r["total_tokens"] > 0 for r in rows)


async def test_an_unsafe_message_gets_a_refusal_and_no_answer_call(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    fake.responder = script(guard=UNSAFE)
    r = await http.post(
        "/v1/chat/completions",
        json={
            "model": "chatty",
            "messages": [{"role": "user", "content": "How do I split deposits to avoid reports?"}],
            "guard_enabled": True,
        },
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    turn = r.json()
    choice = turn["choices"][0]
    assert choice["finish_reason"] == "content_filter"
    assert "money laundering" in choice["message"]["content"]
    assert turn["guard"]["guard_safe"] is False
    assert turn["guard"]["guard_category"] == ["money laundering"]
    assert turn["guard"]["guard_reasoning"] is None  # not asked for
    assert turn["guard"]["category_suggestions"][0]["sub_category"] == "money laundering"
    assert _answer_calls(fake) == []
    chat = (await http.get(f"/v1/chats/{turn['id']}", headers=caller.headers)).json()
    assert chat["messages"][-1]["refusal"] == choice["message"]["content"]


async def test_the_space_configures_what_the_guard_checks(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    r = await http.get("/v1/copilot/settings", headers=caller.headers)
    assert "money laundering" in r.json()["guard_categories"]
    assert "tax evasion" in r.json()["guard_categories"]
    r = await http.patch(
        "/v1/copilot/settings",
        json={"guard_categories": ["insider trading"], "guard_model": "chatty"},
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["guard_categories"] == ["insider trading"]
    fake.responder = script()
    await http.post(
        "/v1/chat/completions",
        json={
            "model": "small",
            "messages": [{"role": "user", "content": "hi"}],
            "guard_enabled": True,
        },
        headers=caller.headers,
    )
    guard_call = next(orjson.loads(q.body) for q in fake.requests if b'"response_format"' in q.body)
    assert "insider trading" in guard_call["messages"][0]["content"]
    assert "money laundering" not in guard_call["messages"][0]["content"]
    assert guard_call["model"] == "fake-model"  # the guard model's upstream name


async def test_a_guard_answering_garbage_fails_closed(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    fake.responder = script(guard="I think it is fine, probably.")
    r = await http.post(
        "/v1/chat/completions",
        json={
            "model": "chatty",
            "messages": [{"role": "user", "content": "hi"}],
            "guard_enabled": True,
        },
        headers=caller.headers,
    )
    assert r.status_code == 502
    assert r.json()["error"]["code"] == "guard_failed"
    assert "fails closed" in r.json()["error"]["message"]
    assert _answer_calls(fake) == []
    chats = (await http.get("/v1/chats", headers=caller.headers)).json()
    assert chats["count"] == 0


async def test_a_guard_that_does_not_answer_in_time_fails_closed(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    fake.first_byte_delay = 1.0
    r = await http.patch(
        "/v1/copilot/settings",
        json={"guard_model": "slowguard", "guard_timeout_seconds": 0.05},
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    fake.responder = script()
    try:
        r = await http.post(
            "/v1/chat/completions",
            json={
                "model": "chatty",
                "messages": [{"role": "user", "content": "hi"}],
                "guard_enabled": True,
            },
            headers=caller.headers,
        )
    finally:
        fake.first_byte_delay = 0.5
    assert r.status_code == 504
    assert r.json()["error"]["code"] == "guard_timeout"
    assert _answer_calls(fake) == []


async def test_without_a_fitting_expert_the_router_falls_back_to_discovering(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    first = await _expert(http, caller, "mortgages", context="You explain mortgages.")
    fake.responder = script(router='{"chosen_expertises": ["astrology"]}')
    r = await http.post(
        "/v1/chat/completions",
        json={
            "model": "chatty",
            "messages": [{"role": "user", "content": "What's the weather?"}],
            "expert_ids": [first],
            "router_enabled": True,
        },
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["router"]["chosen_expertises"] == ["discovering"]
    assert r.json()["router"]["expert_id"] is None
    assert r.json()["router"]["select_expertise_answer"] is None  # not asked for
    [sent] = _answer_calls(fake)
    assert "mortgages" not in orjson.dumps(sent["messages"]).decode()


async def test_an_expert_s_tools_are_offered_and_its_tool_calls_come_back(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "balance",
            "description": "An account's balance.",
            "parameters": {"type": "object", "properties": {"text": {"type": "string"}}},
        },
    }
    expert = await _expert(http, caller, "accounts", tools=[tool])
    r = await http.post(
        "/v1/chat/completions",
        json={
            "model": "tooly",
            "messages": [{"role": "user", "content": "my balance?"}],
            "expert_ids": [expert],
        },
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    choice = r.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    [call] = choice["message"]["tool_calls"]
    assert call["function"]["name"] == "balance"
    assert _answer_calls(fake)[0]["tools"] == [tool]
    chat = (await http.get(f"/v1/chats/{r.json()['id']}", headers=caller.headers)).json()
    assert chat["messages"][-1]["tool_calls"][0]["id"] == call["id"]


async def test_a_chat_continues_by_id_and_a_long_chat_is_windowed(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    fake.responder = script(answer="ok " * 40)
    long = "word " * 120  # ~150 estimated tokens a message; "small" has 400 of context
    r = await http.post(
        "/v1/chat/completions",
        json={
            "model": "small",
            "name": "long one",
            "messages": [{"role": "user", "content": long}],
        },
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    chat_id = r.json()["id"]
    for i in range(4):
        r = await http.post(
            "/v1/chat/completions",
            json={"id": chat_id, "messages": [{"role": "user", "content": f"{i} {long}"}]},
            headers=caller.headers,
        )
        assert r.status_code == 200, r.text
        assert r.json()["id"] == chat_id
    chat = (await http.get(f"/v1/chats/{chat_id}", headers=caller.headers)).json()
    assert len(chat["messages"]) == 10
    assert chat["model"] == "small"
    sent = _answer_calls(fake)[-1]["messages"]
    assert len(sent) < 9
    assert sent[-1]["content"] == f"3 {long}"
    win = (await http.get(f"/v1/chats/{chat_id}/window", headers=caller.headers)).json()
    assert win["messages"] == chat["messages"][-len(win["messages"]) :]
    assert 0 < len(win["messages"]) < 10
    small = await http.get(
        f"/v1/chats/{chat_id}/window", params={"limit": 2}, headers=caller.headers
    )
    assert small.json()["messages"] == chat["messages"][-2:]


async def test_a_client_resending_the_whole_conversation_adds_only_the_new_message(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    fake.responder = script(answer="first answer")
    first = [{"role": "user", "content": "one"}]
    r = await http.post(
        "/v1/chat/completions",
        json={"model": "chatty", "name": "resend", "messages": first},
        headers=caller.headers,
    )
    chat_id = r.json()["id"]
    again = [
        *first,
        {"role": "assistant", "content": "first answer"},
        {"role": "user", "content": "two"},
    ]
    r = await http.post(
        "/v1/chat/completions",
        json={"id": chat_id, "messages": again},
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    chat = (await http.get(f"/v1/chats/{chat_id}", headers=caller.headers)).json()
    assert [m["content"] for m in chat["messages"]] == [
        "one",
        "first answer",
        "two",
        "first answer",
    ]


async def test_a_streamed_turn_carries_the_chat_id_and_verdicts_and_is_saved(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    fake.responder = script(answer="streamed reply here")
    async with http.stream(
        "POST",
        "/v1/chat/completions",
        json={
            "model": "chatty",
            "messages": [{"role": "user", "content": "stream please"}],
            "guard_enabled": True,
            "stream": True,
        },
        headers=caller.headers,
    ) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        raw = (await r.aread()).decode()
    events = [e[len("data: ") :] for e in raw.split("\n\n") if e.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [orjson.loads(e) for e in events[:-1]]
    chat_id = chunks[0]["id"]
    assert {c["id"] for c in chunks} == {chat_id}
    assert chunks[0]["guard"]["guard_safe"] is True
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text == "streamed reply here"
    assert all(c["choices"] for c in chunks)  # no usage chunk unless the client asks
    chat = (await http.get(f"/v1/chats/{chat_id}", headers=caller.headers)).json()
    assert chat["messages"][-1] == {"role": "assistant", "content": "streamed reply here"}


async def test_a_streamed_unsafe_turn_streams_the_refusal(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    fake.responder = script(guard=UNSAFE)
    async with http.stream(
        "POST",
        "/v1/chat/completions",
        json={
            "model": "chatty",
            "messages": [{"role": "user", "content": "launder this"}],
            "guard_enabled": True,
            "stream": True,
        },
        headers=caller.headers,
    ) as r:
        raw = (await r.aread()).decode()
    chunks = [orjson.loads(e[6:]) for e in raw.split("\n\n") if e.startswith("data: {")]
    assert chunks[-1]["choices"][0]["finish_reason"] == "content_filter"
    assert _answer_calls(fake) == []


async def test_a_plain_openai_call_is_not_a_chat_turn(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    r = await http.post(
        "/v1/chat/completions",
        json={
            "model": "chatty",
            "messages": [{"role": "user", "content": "plain"}],
            "user": "u-1",
            "metadata": {"tags": ["x"]},
        },
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["id"].startswith("chatcmpl-")
    assert "guard" not in r.json()
    assert (await http.get("/v1/chats", headers=caller.headers)).json()["count"] == 0


async def test_bad_turn_fields_are_a_400_naming_them(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    r = await http.post(
        "/v1/chat/completions",
        json={
            "model": "chatty",
            "messages": [{"role": "user", "content": "x"}],
            "expert_ids": ["nope"],
        },
        headers=caller.headers,
    )
    assert r.status_code == 400
    assert r.json()["error"]["param"].startswith("expert_ids")
    r = await http.post(
        "/v1/chat/completions",
        json={
            "model": "chatty",
            "messages": [{"role": "user", "content": "x"}],
            "id": "0190a0b0-0000-7000-8000-000000000000",
        },
        headers=caller.headers,
    )
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "chat_not_found"
