"""Personas: CRUD in seed 004's shapes, and completion through the gateway."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.copilot.conftest import logs
from tests.factories import Caller
from tests.fakes.provider import FakeProvider

PERSONA = {"name": "Ana Lima", "birthdate": "1985-03-15", "notes": "Prefers email"}


async def test_a_persona_is_created_read_listed_updated_and_deleted(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    h = caller.headers
    r = await http.post("/v1/personas", json={**PERSONA, "data": {"segment": "retail"}}, headers=h)
    assert r.status_code == 201, r.text
    persona = r.json()
    assert set(persona) >= {
        "birthdate",
        "created_at",
        "created_by",
        "data",
        "id",
        "name",
        "notes",
        "updated_at",
        "updated_by",
    }
    assert persona["birthdate"] == "1985-03-15" and persona["data"] == {"segment": "retail"}
    assert persona["created_by"] == persona["updated_by"] == caller.org.user_id
    second = await http.post("/v1/personas", json={**PERSONA, "name": "Bo"}, headers=h)
    assert second.json()["data"] == {}
    page = (await http.get("/v1/personas", params={"limit": 1}, headers=h)).json()
    assert page["count"] == 1 and page["has_more"] is True
    rest = await http.get(
        "/v1/personas", params={"limit": 1, "after": page["data"][0]["id"]}, headers=h
    )
    assert [p["name"] for p in rest.json()["data"]] == ["Bo"]
    r = await http.patch(
        f"/v1/personas/{persona['id']}", json={"notes": "Prefers phone"}, headers=h
    )
    assert r.status_code == 200 and r.json()["notes"] == "Prefers phone"
    r = await http.post("/v1/personas", json={"name": "x", "notes": ""}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "birthdate"
    r = await http.delete(f"/v1/personas/{persona['id']}", headers=h)
    assert r.status_code == 200 and r.json() == {"id": persona["id"]}
    assert (await http.get(f"/v1/personas/{persona['id']}", headers=h)).status_code == 404


def _answer(content: str) -> Any:
    return lambda _body: content


async def test_completion_answers_a_validated_persona_through_the_gateway(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    updated = {**PERSONA, "notes": "Prefers email; moved to Porto", "data": {"city": "Porto"}}
    fake.responder = _answer("```json\n" + json.dumps(updated) + "\n```")
    r = await http.post(
        "/v1/personas/completion",
        json={
            "current_persona": PERSONA,
            "history": [{"role": "user", "content": "She is a customer since 2010."}],
            "prompt": "She moved to Porto.",
            "model": "chatty",
        },
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json() == updated
    sent = fake.last.json()
    assert sent["response_format"]["type"] == "json_schema"
    assert "Porto" in sent["messages"][-1]["content"]
    rows = await logs(http, caller, 1)
    assert rows[0]["step_type"] == "persona_completion"


async def test_a_completion_that_never_fits_the_schema_is_a_502(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    fake.responder = _answer('{"name": "Ana"}')  # no birthdate, twice
    r = await http.post(
        "/v1/personas/completion",
        json={"current_persona": PERSONA, "prompt": "Forget her birthdate.", "model": "chatty"},
        headers=caller.headers,
    )
    assert r.status_code == 502 and r.json()["code"] == "invalid_model_output"
    assert len(fake.requests) == 2
