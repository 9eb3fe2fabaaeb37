"""Insights: the model chooses among active actions for a client, in a validated schema."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx

from tests.copilot.conftest import logs
from tests.factories import Caller
from tests.fakes.provider import FakeProvider


async def _action(http: httpx.AsyncClient, caller: Caller, **over: Any) -> dict[str, Any]:
    body = {
        "name": "Card upgrade",
        "description": "Offer the premium card",
        "type": "upsell",
        "priority": "high",
        "status": "active",
        "channel": "Email, SMS",
        "model_id": "chatty",
        **over,
    }
    r = await http.post("/v1/actions", json=body, headers=caller.headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _insight(action_id: str, channel: str) -> dict[str, str]:
    return {
        "action_id": action_id,
        "insight": "Her spending grew",
        "thinking": "Premium fits",
        "argument": "Upgrade today",
        "argument_content": "Dear Ana, ...",
        "argument_thinking": "She travels",
        "best_channel": channel,
        "best_time": "weekday mornings",
        "timeliness": "this month",
    }


async def test_an_insight_names_an_allowed_channel_and_is_logged(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    action = await _action(http, caller)
    persona = await http.post(
        "/v1/personas",
        json={"name": "Ana", "birthdate": "1985-03-15", "notes": "travels a lot"},
        headers=caller.headers,
    )
    answers = iter(
        [
            json.dumps(_insight(action["id"], "carrier pigeon")),  # not a channel of the action
            json.dumps(_insight(action["id"], "sms")),
        ]
    )
    fake.responder = lambda _body: next(answers)
    r = await http.post(
        "/v1/insights",
        json={"actions": [action["id"]], "client": persona.json()["id"], "echo": True},
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["actions"] == action["id"] and got["best_channel"] == "SMS"
    assert got["type"] == "upsell" and got["error"] is None
    assert got["usage"]["total_tokens"] > 0 and got["elapsed_time_in_seconds"] >= 0
    assert "travels a lot" in got["messages"][1]["content"]
    assert len(fake.requests) == 2  # asked again once, with the problem named
    assert "best_channel" in fake.last.json()["messages"][-1]["content"]
    rows = await logs(http, caller, 2)
    assert {r["step_type"] for r in rows} == {"insight"}
    assert fake.last.json()["model"] == "fake-model"  # the action's model_id, chatty


async def test_inactive_actions_and_unknown_personas_are_refused(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    draft = await _action(http, caller, status="draft")
    r = await http.post("/v1/insights", json={"actions": [draft["id"]]}, headers=caller.headers)
    assert r.status_code == 422 and r.json()["code"] == "action_not_active"
    r = await http.post("/v1/insights", json={}, headers=caller.headers)
    assert r.status_code == 422 and r.json()["code"] == "no_active_actions"
    active = await _action(http, caller)
    r = await http.post(
        "/v1/insights",
        json={"actions": [active["id"]], "client": "00000000-0000-7000-8000-000000000000"},
        headers=caller.headers,
    )
    assert r.status_code == 404 and r.json()["code"] == "persona_not_found"
    fake.responder = lambda _body: "I would call her."
    r = await http.post(
        "/v1/insights",
        json={"client": "A retired teacher in Porto"},
        headers=caller.headers,
    )
    assert r.status_code == 502 and r.json()["code"] == "invalid_model_output"


async def test_the_space_is_not_locked_while_the_model_answers(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    """On SQLite a request's write transaction holds the database's write lock: an insight
    ends its reads before asking the model, so others can write meanwhile."""
    action = await _action(http, caller)
    finished: list[str] = []

    def slow(_body: dict[str, Any]) -> str:
        time.sleep(1.5)
        return json.dumps(_insight(action["id"], "email"))

    fake.responder = slow

    async def ask() -> None:
        r = await http.post("/v1/insights", json={"client": "Ana"}, headers=caller.headers)
        assert r.status_code == 200, r.text
        finished.append("insight")

    async def write() -> None:
        await asyncio.sleep(0.5)
        r = await http.post(
            "/v1/personas",
            json={"name": "Bo", "birthdate": "1990-01-02", "notes": ""},
            headers=caller.headers,
        )
        assert r.status_code == 201, r.text
        finished.append("persona")

    await asyncio.gather(ask(), write())
    assert finished == ["persona", "insight"]
