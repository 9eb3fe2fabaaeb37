"""Plain typed async factories. They go through the services, never raw SQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx

from spacegate.orgs.service import bootstrap
from spacegate.runtime import Runtime


@dataclass
class OrgCtx:
    org_id: str
    user_id: str
    key: str
    name: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


async def make_org(runtime: Runtime, name: str | None = None) -> OrgCtx:
    name = name or f"org-{uuid.uuid4().hex[:12]}"
    async with runtime.write_sessions() as session, session.begin():
        made = await bootstrap(session, org_name=name, email=f"owner@{name}.example.com")
        return OrgCtx(str(made.org.id), str(made.user.id), made.api_key, name)


async def make_space(
    client: httpx.AsyncClient, org: OrgCtx, name: str = "space"
) -> dict[str, object]:
    r = await client.post(
        "/v1/spaces", json={"name": name, "description": f"{name} space"}, headers=org.headers
    )
    assert r.status_code == 201, r.text
    body: dict[str, object] = r.json()
    return body


async def make_key(
    client: httpx.AsyncClient, org: OrgCtx, **fields: object
) -> tuple[str, dict[str, object]]:
    r = await client.post("/v1/api-keys", json={"name": "k", **fields}, headers=org.headers)
    assert r.status_code == 201, r.text
    body: dict[str, object] = r.json()
    return str(body["key"]), body


async def invite_and_accept(
    client: httpx.AsyncClient,
    org: OrgCtx,
    space_id: object,
    email: str,
    roles: list[str],
    role: str = "developer",
) -> dict[str, object]:
    r = await client.post(
        f"/v1/spaces/{space_id}/invite",
        json={"emails": [email], "roles": roles, "role": role},
        headers=org.headers,
    )
    assert r.status_code == 200, r.text
    token = r.json()["invitations"][0]["token"]
    r = await client.post("/v1/users/accept-invite", json={"token": token})
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body
