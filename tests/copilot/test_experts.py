"""Experts through the HTTP API: seed 004's shapes, tools checked as OpenAI function tools."""

from __future__ import annotations

import uuid

import httpx

from tests.factories import Caller

TOOL = {
    "type": "function",
    "function": {
        "name": "lookup_account",
        "description": "Find an account by IBAN.",
        "parameters": {
            "type": "object",
            "properties": {"iban": {"type": "string"}},
            "required": ["iban"],
        },
    },
}


async def test_an_expert_is_created_read_listed_updated_and_deleted(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    dataset = str(uuid.uuid4())
    r = await http.post(
        "/v1/experts",
        json={
            "name": "credit",
            "description": "Credit card questions",
            "context": "You answer credit card questions.",
            "file_context": [
                {"name": "fees", "text": "Annual fee: 10 EUR."},
                {"dataset_id": dataset},
            ],
            "tools": [TOOL],
        },
        headers=caller.headers,
    )
    assert r.status_code == 201, r.text
    expert = r.json()
    assert expert["tools"] == [TOOL]
    assert expert["file_context"] == [
        {"name": "fees", "text": "Annual fee: 10 EUR."},
        {"dataset_id": dataset},
    ]
    assert set(expert) >= {"id", "name", "description", "context", "created_at", "updated_at"}
    got = await http.get(f"/v1/experts/{expert['id']}", headers=caller.headers)
    assert got.json() == expert
    listed = await http.get("/v1/experts", params={"limit": 10}, headers=caller.headers)
    assert listed.json()["count"] == 1
    assert listed.json()["has_more"] is False
    r = await http.patch(
        f"/v1/experts/{expert['id']}", json={"context": "Be brief."}, headers=caller.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["context"] == "Be brief."
    assert r.json()["tools"] == [TOOL]
    r = await http.delete(f"/v1/experts/{expert['id']}", headers=caller.headers)
    assert r.json() == {"id": expert["id"]}
    gone = await http.get(f"/v1/experts/{expert['id']}", headers=caller.headers)
    assert gone.status_code == 404


async def test_a_tool_whose_parameters_are_not_json_schema_is_refused_naming_it(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    bad = {"type": "function", "function": {"name": "x", "parameters": {"type": "objekt"}}}
    r = await http.post(
        "/v1/experts",
        json={"name": "e", "description": "d", "tools": [bad]},
        headers=caller.headers,
    )
    assert r.status_code == 422
    loc = r.json()["detail"][0]["loc"]
    assert loc[:5] == ["body", "tools", 0, "function", "parameters"]
    assert "JSON Schema" in r.json()["detail"][0]["msg"]


async def test_bad_tool_names_and_file_context_are_refused(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    bad_name = {"type": "function", "function": {"name": "has spaces"}}
    r = await http.post(
        "/v1/experts",
        json={"name": "e", "description": "d", "tools": [bad_name]},
        headers=caller.headers,
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "name"
    both = {"text": "a", "dataset_id": str(uuid.uuid4())}
    r = await http.post(
        "/v1/experts",
        json={"name": "e", "description": "d", "file_context": [both]},
        headers=caller.headers,
    )
    assert r.status_code == 422
    assert "exactly one" in r.json()["detail"][0]["msg"]
    r = await http.post("/v1/experts", json={"name": "e"}, headers=caller.headers)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "description"]


async def test_text_postgresql_cannot_store_is_refused_in_nested_fields(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    r = await http.post(
        "/v1/experts",
        json={"name": "e", "description": "d", "file_context": [{"text": "a\x00b"}]},
        headers=caller.headers,
    )
    assert r.status_code == 422
    assert "NUL" in r.json()["detail"][0]["msg"]
    r = await http.post(
        "/v1/chat/completions",
        json={"name": "n", "messages": [{"role": "user", "content": "a\x00b"}]},
        headers=caller.headers,
    )
    assert r.status_code == 400
    assert "NUL" in r.json()["error"]["message"]
