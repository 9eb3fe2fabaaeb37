"""Arguments: generated and stored, listed as the review queue, moved along the review workflow,
soft-deleted."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.copilot.conftest import logs
from tests.factories import Caller, invite_and_accept
from tests.fakes.provider import FakeProvider


async def _setup(http: httpx.AsyncClient, caller: Caller) -> tuple[str, str]:
    r = await http.post(
        "/v1/actions",
        json={
            "name": "Card upgrade",
            "description": "Offer the premium card",
            "type": "upsell",
            "priority": "high",
            "status": "active",
            "channel": "email",
        },
        headers=caller.headers,
    )
    assert r.status_code == 201, r.text
    p = await http.post(
        "/v1/personas",
        json={"name": "Ana", "birthdate": "1985-03-15", "notes": "travels a lot"},
        headers=caller.headers,
    )
    return str(r.json()["id"]), str(p.json()["id"])


def _body(action_id: str, persona_id: str, **over: Any) -> dict[str, Any]:
    return {
        "action_id": action_id,
        "client": {"persona_id": persona_id, "segment": "retail"},
        "product": {"name": "Premium card", "fee": "10/month"},
        "insight_spec": {"best_channel": "email"},
        "model": "chatty",
        **over,
    }


async def test_an_argument_is_generated_reviewed_listed_and_soft_deleted(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    action_id, persona_id = await _setup(http, caller)
    fake.responder = lambda _b: json.dumps(
        {"argument": "Travel without fees", "argument_thinking": "She travels"}
    )
    r = await http.post(
        "/v1/arguments",
        json=_body(action_id, persona_id),
        headers={**caller.headers, "Idempotency-Key": "arg-1"},
    )
    assert r.status_code == 201, r.text
    arg = r.json()
    assert arg["argument"] == "Travel without fees" and arg["error"] is None
    assert arg["review"]["status"] == "pending" and arg["_id"] == arg["id"]
    assert arg["space"] == caller.space_id and arg["deleted_at"] is None
    assert arg["duration"] >= 0
    assert "travels a lot" in fake.last.json()["messages"][1]["content"]
    assert (await logs(http, caller, 1))[0]["step_type"] == "argument"
    h = caller.headers
    r = await http.patch(
        f"/v1/arguments/{arg['id']}", json={"review": {"status": "success"}}, headers=h
    )
    assert r.status_code == 409 and r.json()["allowed"] == ["waiting_review"]
    assert "waiting_review" in r.json()["detail"]
    for status in ("waiting_review", "reviewing", "success"):
        r = await http.patch(
            f"/v1/arguments/{arg['id']}",
            json={"review": {"status": status, "reviewer": "Rui", "comments": f"to {status}"}},
            headers=h,
        )
        assert r.status_code == 200, r.text
    review = r.json()["review"]
    assert review["status"] == "success" and review["reviewer"] == "Rui"
    assert [e["to"] for e in review["history"]] == ["waiting_review", "reviewing", "success"]
    r = await http.patch(
        f"/v1/arguments/{arg['id']}", json={"review": {"status": "pending"}}, headers=h
    )
    assert r.status_code == 409 and r.json()["allowed"] == []
    # The queue: filters by review status and action.
    fake.responder = lambda _b: json.dumps({"argument": "Second", "argument_thinking": ""})
    await http.post("/v1/arguments", json=_body(action_id, persona_id), headers=h)
    r = await http.get("/v1/arguments", params={"status": "pending"}, headers=h)
    assert [a["argument"] for a in r.json()] == ["Second"]
    r = await http.get("/v1/arguments", params={"action_id": action_id, "page_size": 1}, headers=h)
    assert [a["argument"] for a in r.json()] == ["Travel without fees"]
    r = await http.get("/v1/arguments", params={"page": 2, "page_size": 1}, headers=h)
    assert [a["argument"] for a in r.json()] == ["Second"]
    r = await http.delete(f"/v1/arguments/{arg['id']}", headers=h)
    assert r.status_code == 200 and r.json() == {"id": arg["id"]}
    assert (await http.get(f"/v1/arguments/{arg['id']}", headers=h)).status_code == 404
    assert [a["argument"] for a in (await http.get("/v1/arguments", headers=h)).json()] == [
        "Second"
    ]


async def test_an_answer_that_never_fits_is_stored_with_its_error(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    action_id, persona_id = await _setup(http, caller)
    fake.responder = lambda _b: "Sure! Here is an argument."
    r = await http.post("/v1/arguments", json=_body(action_id, persona_id), headers=caller.headers)
    assert r.status_code == 201, r.text
    assert r.json()["argument"] == "" and "argument" in r.json()["error"]
    r = await http.post(
        "/v1/arguments",
        json=_body("00000000-0000-7000-8000-000000000000", persona_id),
        headers=caller.headers,
    )
    assert r.status_code == 422 and r.json()["param"] == "action_id"
    r = await http.post(
        "/v1/arguments", json=_body(action_id, persona_id, model="unknown"), headers=caller.headers
    )
    assert r.status_code in (400, 403, 404), r.text
    assert len((await http.get("/v1/arguments", headers=caller.headers)).json()) == 1


async def test_a_designer_reviews_arguments_but_does_not_build_actions(
    http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    action_id, persona_id = await _setup(http, caller)
    fake.responder = lambda _b: json.dumps({"argument": "Travel without fees"})
    arg = await http.post(
        "/v1/arguments", json=_body(action_id, persona_id), headers=caller.headers
    )
    designer = await invite_and_accept(
        http, caller.org, caller.space_id, "designer@example.com", [], role="designer"
    )
    h = {"X-API-Key": str(designer["api_key"]), "X-Space-Id": caller.space_id}
    assert (await http.get("/v1/actions", headers=h)).status_code == 200
    r = await http.patch(
        f"/v1/arguments/{arg.json()['id']}",
        json={"review": {"status": "waiting_review"}},
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert r.json()["review"]["reviewed_by"] == designer["user"]["id"]  # type: ignore[index]
    r = await http.post(
        "/v1/actions",
        json={"name": "x", "description": "", "type": "t", "priority": "low"},
        headers=h,
    )
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    r = await http.post("/v1/arguments", json=_body(action_id, persona_id), headers=h)
    assert r.status_code == 403
    r = await http.post(
        "/v1/personas/upload",
        files={"files": ("p.csv", b"name,birthdate\nA,1990-01-01\n", "text/csv")},
        headers=h,
    )
    assert r.status_code == 403
