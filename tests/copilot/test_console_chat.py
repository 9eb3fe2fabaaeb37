"""The console's chat page: pick experts, toggle guard and router, see the verdicts."""

from __future__ import annotations

import html

import httpx
from fastapi import FastAPI

from tests.console.conftest import BASE, Browser
from tests.copilot.test_turns import script
from tests.factories import Caller
from tests.fakes.provider import FakeProvider


async def test_a_chat_in_the_console_shows_the_answer_and_the_verdicts(
    local_app: FastAPI, http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    r = await http.post(
        "/v1/experts",
        json={"name": "cards", "description": "Card questions", "context": "Cards only."},
        headers=caller.headers,
    )
    expert_id = r.json()["id"]
    fake.responder = script(
        router='{"chosen_expertises": ["cards"], "select_expertise_answer": "About cards."}',
        answer="Your card costs 10 EUR a year.",
    )
    transport = httpx.ASGITransport(app=local_app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        browser = Browser(client)
        assert (await browser.sign_in(caller.org.key)).status_code == 303
        page = await browser.get(f"/console/spaces/{caller.space_id}/chat")
        assert page.status_code == 200, page.text
        assert "cards" in page.text
        sent = await browser.post(
            f"/console/spaces/{caller.space_id}/chat",
            {
                "message": "What does my card cost?",
                "model": "chatty",
                "expert_ids": expert_id,
                "guard_enabled": "on",
                "router_enabled": "on",
            },
        )
        assert sent.status_code == 303, sent.text
        page = await browser.get(sent.headers["location"])
    text = html.unescape(page.text)
    assert "Your card costs 10 EUR a year." in text
    assert "A plain question." in text  # the guard's reasoning
    assert "About cards." in text  # the router's
