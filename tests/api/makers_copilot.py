"""Copilot objects for the cross-org matrices."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx

from spacegate.models import Chat
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
