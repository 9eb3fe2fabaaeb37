"""An expert that names a dataset of the space answers from its most relevant passages: they are
retrieved for the turn's question into the expert's system message."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import orjson

from tests.copilot.test_turns import script
from tests.factories import Caller
from tests.fakes.provider import FakeProvider

HANDBOOK = b"""# Travel
Train tickets are booked through the travel desk two weeks ahead.

# Equipment
Every new starter receives a laptop and a headset on the first day.

# Pay
Salaries are paid on the last working day of each month.
"""


async def _dataset(http: httpx.AsyncClient, caller: Caller) -> str:
    name = f"handbook-{uuid.uuid4().hex[:6]}"
    r = await http.post(
        "/api/v1/datasets/",
        json={
            "name": name,
            "dtype": "local_file",
            "configuration": {"chunk_size": 16, "chunk_overlap": 0},
        },
        headers=caller.headers,
    )
    assert r.status_code == 201, r.text
    dataset = r.json()
    r = await http.post(
        f"/api/v1/datasets/{name}/documents",
        files={"file": ("handbook.md", HANDBOOK)},
        headers=caller.headers,
    )
    assert r.status_code in (201, 202), r.text
    for _ in range(400):
        status = (
            await http.get(
                f"/api/v1/ingestion/datasets/{dataset['id']}/status", headers=caller.headers
            )
        ).json()
        if status["status"] != "indexing":
            break
        await asyncio.sleep(0.05)
    assert status["chunks"] >= 1, status
    return str(dataset["id"])


async def test_an_expert_answers_from_the_passages_of_its_dataset(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    dataset_id = await _dataset(http, caller)
    r = await http.post(
        "/v1/experts",
        json={
            "name": "hr",
            "description": "HR questions",
            "context": "You answer HR questions from the handbook.",
            "file_context": [{"name": "Handbook", "dataset_id": dataset_id}],
        },
        headers=caller.headers,
    )
    assert r.status_code == 201, r.text
    fake.responder = script(answer="On the last working day.")
    r = await http.post(
        "/v1/chat/completions",
        json={
            "model": "chatty",
            "messages": [{"role": "user", "content": "When are salaries paid?"}],
            "expert_ids": [r.json()["id"]],
            "echo": True,
        },
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    [answer_call] = [
        orjson.loads(q.body) for q in fake.requests if q.path.endswith("/chat/completions")
    ]
    system = answer_call["messages"][0]
    assert system["role"] == "system"
    assert "You answer HR questions" in system["content"]
    assert "## Handbook" in system["content"]
    assert "last working day of each month" in system["content"]


async def test_a_deleted_dataset_leaves_the_expert_answering_without_it(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    dataset_id = await _dataset(http, caller)
    r = await http.post(
        "/v1/experts",
        json={
            "name": "hr",
            "description": "HR questions",
            "context": "You answer HR questions.",
            "file_context": [{"dataset_id": dataset_id}],
        },
        headers=caller.headers,
    )
    expert_id = r.json()["id"]
    datasets = (await http.get("/api/v1/datasets/", headers=caller.headers)).json()["items"]
    [name] = [d["name"] for d in datasets if d["id"] == dataset_id]
    assert (
        await http.delete(f"/api/v1/datasets/{name}", headers=caller.headers)
    ).status_code == 200
    fake.responder = script(answer="I do not know.")
    r = await http.post(
        "/v1/chat/completions",
        json={
            "model": "chatty",
            "messages": [{"role": "user", "content": "When are salaries paid?"}],
            "expert_ids": [expert_id],
        },
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    [answer_call] = [
        orjson.loads(q.body) for q in fake.requests if q.path.endswith("/chat/completions")
    ]
    assert answer_call["messages"][0]["content"] == "You answer HR questions."
