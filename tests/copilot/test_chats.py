"""Chats through the API and the SDK: list by name, history, update, delete, window."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from spacegate.client import AsyncSpacegate
from tests.copilot.test_turns import script
from tests.factories import Caller
from tests.fakes.provider import FakeProvider


async def test_chats_are_listed_by_name_renamed_and_deleted_through_the_sdk(
    local_app: FastAPI, caller: Caller, fake: FakeProvider
) -> None:
    fake.responder = script(answer="fine")
    transport = httpx.ASGITransport(app=local_app)
    async with AsyncSpacegate(
        "http://sg.test", caller.org.key, space_id=caller.space_id, http_transport=transport
    ) as sdk:
        first = await sdk.chats.send("Open an account", model="chatty", name="Accounts Q")
        await sdk.chats.send("Close a card", model="chatty", name="Cards Q")
        again = await sdk.chats.send("And a savings one?", id=first["id"])
        assert again["id"] == first["id"]
        names = [c.name async for c in sdk.chats.list()]
        assert names == ["Accounts Q", "Cards Q"]
        chat = await sdk.chats.get(first["id"])
        assert [m["content"] for m in chat.messages] == [
            "Open an account",
            "fine",
            "And a savings one?",
            "fine",
        ]
        renamed = await sdk.chats.update(first["id"], name="Accounts", guard_enabled=True)
        assert renamed.name == "Accounts"
        assert renamed.guard_enabled is True
        window = await sdk.chats.window(first["id"], limit=1)
        assert [m["content"] for m in window.messages] == ["fine"]
        await sdk.chats.delete(first["id"])
        expert = await sdk.experts.create(name="cards", description="Card questions")
        assert (await sdk.experts.get(expert.id)).name == "cards"


async def test_the_list_filters_by_name_and_pages_after_the_last_id(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    fake.responder = script(answer="ok")
    for name in ("Mortgage rates", "Card fees", "mortgage terms"):
        r = await http.post(
            "/v1/chat/completions",
            json={"model": "chatty", "name": name, "messages": [{"role": "user", "content": "q"}]},
            headers=caller.headers,
        )
        assert r.status_code == 200, r.text
    r = await http.get("/v1/chats", params={"name": "mortgage"}, headers=caller.headers)
    assert [c["name"] for c in r.json()["data"]] == ["Mortgage rates", "mortgage terms"]
    page = (await http.get("/v1/chats", params={"limit": 1}, headers=caller.headers)).json()
    assert page["count"] == 1
    assert page["has_more"] is True
    after = page["data"][0]["id"]
    rest = await http.get("/v1/chats", params={"after": after}, headers=caller.headers)
    assert [c["name"] for c in rest.json()["data"]] == ["Card fees", "mortgage terms"]
    r = await http.patch(
        f"/v1/chats/{after}",
        json={"messages": [{"role": "user", "content": "reset"}]},
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["messages"] == [{"role": "user", "content": "reset"}]
    r = await http.delete(f"/v1/chats/{after}", headers=caller.headers)
    assert r.json() == {"id": after}
    assert (await http.get(f"/v1/chats/{after}", headers=caller.headers)).status_code == 404
