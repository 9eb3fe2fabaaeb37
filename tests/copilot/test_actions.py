"""Actions: seed 004's shapes and enums, dates, and references that must exist in the space."""

from __future__ import annotations

import uuid

import httpx

from tests.factories import Caller


async def _group(http: httpx.AsyncClient, caller: Caller) -> str:
    r = await http.post(
        "/v1/action-groups", json={"name": "cards", "description": "d"}, headers=caller.headers
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _body(**over: object) -> dict[str, object]:
    return {
        "name": "Card upgrade",
        "description": "Offer the premium card",
        "type": "upsell",
        "priority": "very_high",
        **over,
    }


async def test_an_action_is_created_read_listed_updated_and_deleted(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    group = await _group(http, caller)
    r = await http.post(
        "/v1/actions",
        json=_body(
            group=group,
            model_id="chatty",
            channel="email, sms",
            start_date="2030-01-01T00:00:00Z",
            end_date="2030-03-01T00:00:00",
        ),
        headers={**caller.headers, "Idempotency-Key": "act-1"},
    )
    assert r.status_code == 201, r.text
    action = r.json()
    assert action["status"] == "draft" and action["group"] == group
    assert action["model_id"] == "chatty" and action["end_date"].startswith("2030-03-01T00:00:00")
    assert set(action) >= {
        "channel",
        "channel_template",
        "created_at",
        "custom_insights",
        "description",
        "end_date",
        "group",
        "id",
        "model_id",
        "name",
        "priority",
        "start_date",
        "status",
        "type",
        "updated_at",
    }
    again = await http.post(
        "/v1/actions",
        json=_body(
            group=group,
            model_id="chatty",
            channel="email, sms",
            start_date="2030-01-01T00:00:00Z",
            end_date="2030-03-01T00:00:00",
        ),
        headers={**caller.headers, "Idempotency-Key": "act-1"},
    )
    assert again.headers["idempotent-replayed"] == "true" and again.json()["id"] == action["id"]
    r = await http.get("/v1/actions", params={"limit": 1}, headers=caller.headers)
    assert r.json()["count"] == 1 and r.json()["has_more"] is False
    r = await http.patch(
        f"/v1/actions/{action['id']}", json={"status": "active"}, headers=caller.headers
    )
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert (await http.delete(f"/v1/action-groups/{group}", headers=caller.headers)).is_success
    r = await http.get(f"/v1/actions/{action['id']}", headers=caller.headers)
    assert r.json()["group"] is None  # the group is gone, the action stays
    r = await http.patch(
        f"/v1/actions/{action['id']}",
        json={"group": await _group(http, caller)},
        headers=caller.headers,
    )
    assert r.status_code == 200 and r.json()["group"] is not None
    r = await http.patch(
        f"/v1/actions/{action['id']}", json={"group": None}, headers=caller.headers
    )
    assert r.status_code == 200 and r.json()["group"] is None
    r = await http.delete(f"/v1/actions/{action['id']}", headers=caller.headers)
    assert r.status_code == 200 and r.json() == {"id": action["id"]}
    r = await http.get(f"/v1/actions/{action['id']}", headers=caller.headers)
    assert r.status_code == 404


async def test_enums_dates_and_references_are_checked(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    h = caller.headers
    r = await http.post("/v1/actions", json=_body(priority="urgent"), headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "priority"
    r = await http.post("/v1/actions", json=_body(status="paused"), headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "status"
    r = await http.post(
        "/v1/actions",
        json=_body(start_date="2030-02-01T00:00:00Z", end_date="2030-01-01T00:00:00Z"),
        headers=h,
    )
    assert r.status_code == 422 and r.json()["param"] == "end_date", r.text
    r = await http.post("/v1/actions", json=_body(group=str(uuid.uuid4())), headers=h)
    assert r.status_code == 422 and r.json()["param"] == "group"
    r = await http.post("/v1/actions", json=_body(model_id="nope"), headers=h)
    assert r.status_code == 422 and r.json()["param"] == "model_id"
    r = await http.post("/v1/actions", json=_body(start_date="2030-02-01T00:00:00Z"), headers=h)
    assert r.status_code == 201
    # An update is checked against the stored dates.
    r = await http.patch(
        f"/v1/actions/{r.json()['id']}", json={"end_date": "2030-01-01T00:00:00Z"}, headers=h
    )
    assert r.status_code == 422 and r.json()["param"] == "end_date"
    # Another space's group is not this space's.
    other = await http.post(
        "/v1/spaces", json={"name": "other", "description": ""}, headers=caller.org.headers
    )
    theirs = await http.post(
        "/v1/action-groups",
        json={"name": "g", "description": ""},
        headers={**caller.org.headers, "X-Space-Id": other.json()["id"]},
    )
    r = await http.post("/v1/actions", json=_body(group=theirs.json()["id"]), headers=h)
    assert r.status_code == 422 and r.json()["param"] == "group"
    r = await http.post("/v1/actions", json=_body(), headers=caller.org.headers)
    assert r.status_code == 400 and r.json()["code"] == "space_required"
