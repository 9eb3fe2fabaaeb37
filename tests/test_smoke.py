from __future__ import annotations

import httpx

from tests.factories import OrgCtx


async def test_me(client: httpx.AsyncClient, org: OrgCtx) -> None:
    r = await client.get("/v1/users/me", headers=org.headers)
    assert r.status_code == 200
    assert r.json()["id"] == org.user_id
