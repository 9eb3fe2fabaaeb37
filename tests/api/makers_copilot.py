"""Copilot objects for the cross-org matrices."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx

from spacegate.copilot.arguments import new_review
from spacegate.models import Argument, Chat
from spacegate.runtime import Runtime
from tests.api.makers import body, created, maker, space_headers

if TYPE_CHECKING:
    from tests.api.isolation import OrgObjects


@maker("/v1/action-groups/{id}")
async def _action_group(client: httpx.AsyncClient, _rt: Runtime, o: OrgObjects) -> str:
    r = await client.post(
        "/v1/action-groups", json={"name": "g", "description": "d"}, headers=space_headers(o)
    )
    return await created(r)


body("POST /v1/action-groups", lambda o: {"name": "g", "description": "d"})
body("PATCH /v1/action-groups/{id}", lambda o: {"name": "renamed"})


# --- chats, experts, copilot settings (issue 19) ---------------------------------------------

_TOOL = {
    "type": "function",
    "function": {
        "name": "lookup_account",
        "description": "Find an account.",
        "parameters": {"type": "object", "properties": {"iban": {"type": "string"}}},
    },
}


@maker("/v1/experts/{id}")
async def _expert(client: httpx.AsyncClient, _rt: Runtime, o: OrgObjects) -> str:
    r = await client.post(
        "/v1/experts",
        json={"name": "credit", "description": "Credit questions", "tools": [_TOOL]},
        headers=space_headers(o),
    )
    return await created(r)


@maker("/v1/chats/{id}")
async def _chat(_client: httpx.AsyncClient, runtime: Runtime, o: OrgObjects) -> str:
    # A chat is made by a turn, which needs a model answering; the row is enough here.
    async with runtime.write_sessions() as s, s.begin():
        chat = Chat(
            org_id=uuid.UUID(o.org.org_id),
            space_id=uuid.UUID(o.space_id),
            name="kept",
            messages=[{"role": "user", "content": "hello"}],
        )
        s.add(chat)
    return str(chat.id)


body(
    "POST /v1/experts",
    lambda o: {"name": "e", "description": "d", "context": "Be brief.", "tools": [_TOOL]},
)
body("PATCH /v1/experts/{id}", lambda o: {"context": "Be thorough."})
body("PATCH /v1/chats/{id}", lambda o: {"name": "renamed"})
body("PATCH /v1/copilot/settings", lambda o: {"guard_categories": ["fraud"]})


# --- actions, personas, persona imports, arguments (issue 20) --------------------------------


def _action_body(o: OrgObjects) -> dict[str, object]:
    return {
        "name": "Card upgrade",
        "description": "Offer the premium card",
        "type": "upsell",
        "priority": "high",
        "status": "active",
        "channel": "email, sms",
        "model_id": o.model_alias,
        "group": o.extra["/v1/action-groups/{id}"],
        "start_date": "2030-01-01T00:00:00Z",
        "end_date": "2030-02-01T00:00:00Z",
    }


@maker("/v1/actions/{id}")
async def _action(client: httpx.AsyncClient, _rt: Runtime, o: OrgObjects) -> str:
    r = await client.post("/v1/actions", json=_action_body(o), headers=space_headers(o))
    return await created(r)


_PERSONA = {"name": "Ana Lima", "birthdate": "1985-03-15", "notes": "Prefers email", "data": {}}


@maker("/v1/personas/{id}")
async def _persona(client: httpx.AsyncClient, _rt: Runtime, o: OrgObjects) -> str:
    r = await client.post("/v1/personas", json=_PERSONA, headers=space_headers(o))
    return await created(r)


@maker("upload_token")
async def _upload_token(client: httpx.AsyncClient, _rt: Runtime, o: OrgObjects) -> str:
    csv = (
        b"name,birthdate,notes,segment\nAna Lima,1985-03-15,again,retail\nBo Chen,1990-01-02,,sme\n"
    )
    # Sent as bytes, not streamed: the exposure scanner of some matrices reads every body sent.
    boundary = "persona-upload-boundary"
    content = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="people.csv"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        + csv
        + f"\r\n--{boundary}--\r\n".encode()
    )
    r = await client.post(
        "/v1/personas/upload",
        content=content,
        headers={
            **space_headers(o),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    assert r.status_code == 200, r.text
    return str(r.json()["upload_token"])


body("POST /v1/actions", _action_body)
body("PATCH /v1/actions/{id}", lambda o: {"status": "active", "channel": "email, phone"})
body("POST /v1/personas", lambda o: dict(_PERSONA))
body("PATCH /v1/personas/{id}", lambda o: {"notes": "Prefers phone"})
body("POST /v1/personas/upload/{upload_token}/confirm", lambda o: {"conflict_resolution": "skip"})

_NO_MODEL_HERE = (
    (502, 503, 504),
    "its model answers through the gateway, and the matrices' model has no provider to reach; "
    "tests/copilot shows the success with the fake provider",
)
body(
    "POST /v1/personas/completion",
    lambda o: {"current_persona": dict(_PERSONA), "prompt": "She moved.", "model": o.model_alias},
    outside=_NO_MODEL_HERE,
)


@maker("/v1/arguments/{id}")
async def _argument(_client: httpx.AsyncClient, runtime: Runtime, o: OrgObjects) -> str:
    # An argument is written by a model; the row is enough here.
    async with runtime.write_sessions() as s, s.begin():
        row = Argument(
            org_id=uuid.UUID(o.org.org_id),
            space_id=uuid.UUID(o.space_id),
            action_id=uuid.UUID(o.extra["/v1/actions/{id}"]),
            client={"segment": "retail"},
            product={"name": "Premium card"},
            argument="Travel without fees",
            review=new_review(),
        )
        s.add(row)
    return str(row.id)


body(
    "POST /v1/insights",
    lambda o: {"actions": [o.extra["/v1/actions/{id}"]], "client": o.extra["/v1/personas/{id}"]},
    outside=_NO_MODEL_HERE,
)
body(
    "POST /v1/arguments",
    lambda o: {
        "action_id": o.extra["/v1/actions/{id}"],
        "client": {"persona_id": o.extra["/v1/personas/{id}"]},
        "product": {"name": "Premium card"},
        "insight_spec": {},
        "model": o.model_alias,
    },
    outside=_NO_MODEL_HERE,
)
body(
    "PATCH /v1/arguments/{id}",
    lambda o: {"review": {"status": "waiting_review", "comments": "ready"}},
)
