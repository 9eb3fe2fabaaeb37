"""The console's copilot pages: actions, the review queue of arguments, persona imports."""

from __future__ import annotations

import html
import json

import httpx
from fastapi import FastAPI

from tests.console.conftest import BASE, Browser
from tests.factories import Caller
from tests.fakes.provider import FakeProvider


async def _browser(client: httpx.AsyncClient, caller: Caller) -> Browser:
    browser = Browser(client)
    assert (await browser.sign_in(caller.org.key)).status_code == 303
    return browser


async def test_actions_are_listed_created_and_changed_in_the_console(
    local_app: FastAPI, caller: Caller
) -> None:
    base = f"/console/spaces/{caller.space_id}/actions"
    transport = httpx.ASGITransport(app=local_app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        browser = await _browser(client, caller)
        page = await browser.get(base)
        assert page.status_code == 200 and "No actions yet." in page.text
        bad = await browser.post(
            base,
            {
                "name": "Upgrade",
                "description": "d",
                "type": "upsell",
                "priority": "high",
                "status": "active",
                "start_date": "2030-02-01",
                "end_date": "2030-01-01",
            },
        )
        assert bad.status_code == 422 and "must be after" in html.unescape(bad.text)
        sent = await browser.post(
            base,
            {
                "name": "Upgrade",
                "description": "Offer the card",
                "type": "upsell",
                "priority": "very_high",
                "status": "draft",
                "channel": "email, sms",
                "model_id": "chatty",
                "start_date": "2030-01-01",
            },
        )
        assert sent.status_code == 303, sent.text
        page = await browser.get(base)
        assert "Upgrade" in page.text and "email, sms" in page.text and "very high" in page.text


async def test_the_review_queue_moves_an_argument_along(
    local_app: FastAPI, http: httpx.AsyncClient, caller: Caller, fake: FakeProvider
) -> None:
    action = await http.post(
        "/v1/actions",
        json={"name": "A", "description": "d", "type": "upsell", "priority": "low"},
        headers=caller.headers,
    )
    fake.responder = lambda _b: json.dumps({"argument": "No annual fee for you."})
    r = await http.post(
        "/v1/arguments",
        json={
            "action_id": action.json()["id"],
            "client": {"name": "Ana"},
            "product": {"name": "Gold card"},
            "insight_spec": {},
            "model": "chatty",
        },
        headers=caller.headers,
    )
    arg = r.json()
    base = f"/console/spaces/{caller.space_id}/arguments"
    transport = httpx.ASGITransport(app=local_app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        browser = await _browser(client, caller)
        page = await browser.get(base + "?status=pending")
        assert "No annual fee for you." in page.text and "Move to waiting review" in page.text
        moved = await browser.post(
            f"{base}/{arg['id']}/review",
            {"status": "waiting_review", "comments": "Looks fine", "queue": "pending"},
        )
        assert moved.status_code == 303
        page = await browser.get(base + "?status=waiting_review")
        assert "Looks fine" in page.text and "Move to reviewing" in page.text
        refused = await browser.post(
            f"{base}/{arg['id']}/review", {"status": "success", "queue": "waiting_review"}
        )
        assert refused.status_code == 303
        page = await browser.get(refused.headers["location"])
        assert "reviewing" in html.unescape(page.text)
    r = await http.get(f"/v1/arguments/{arg['id']}", headers=caller.headers)
    assert r.json()["review"]["status"] == "waiting_review"


async def test_a_persona_import_shows_its_conflicts_before_it_is_confirmed(
    local_app: FastAPI, http: httpx.AsyncClient, caller: Caller
) -> None:
    await http.post(
        "/v1/personas",
        json={"name": "Ana Lima", "birthdate": "1985-03-15", "notes": "old"},
        headers=caller.headers,
    )
    base = f"/console/spaces/{caller.space_id}/personas"
    csv = b"name,birthdate,notes\nana lima,1985-03-15,new\nBo,1990-01-02,\n"
    transport = httpx.ASGITransport(app=local_app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        browser = await _browser(client, caller)
        await browser.get(base)
        bad = await client.post(
            base + "/upload",
            data={"csrf_token": browser.csrf},
            files={"files": ("p.csv", b"name,birthdate\n,1990-01-01\n", "text/csv")},
            headers={"Origin": BASE},
        )
        assert "row 2" in bad.text and "name is required" in bad.text
        shown = await client.post(
            base + "/upload",
            data={"csrf_token": browser.csrf},
            files={"files": ("p.csv", csv, "text/csv")},
            headers={"Origin": BASE},
        )
        assert shown.status_code == 200, shown.text
        assert "Confirm the import" in shown.text and "ana lima" in shown.text
        names = (await http.get("/v1/personas", headers=caller.headers)).json()["data"]
        assert len(names) == 1  # nothing imported before confirming
        token = shown.text.split('name="upload_token" value="', 1)[1].split('"', 1)[0]
        done = await browser.post(
            base + "/confirm", {"upload_token": token, "conflict_resolution": "overwrite"}
        )
        assert done.status_code == 303, done.text
    people = (await http.get("/v1/personas", headers=caller.headers)).json()["data"]
    assert sorted((p["name"], p["notes"]) for p in people) == [("Bo", ""), ("ana lima", "new")]
