"""Copilot objects for the cross-org matrices."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

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
