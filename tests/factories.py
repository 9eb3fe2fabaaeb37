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


@dataclass
class Caller:
    """An org and one of its spaces: the headers a space-bound call carries."""

    org: OrgCtx
    space_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {**self.org.headers, "X-Space-Id": self.space_id}


async def space_with_models(
    client: httpx.AsyncClient,
    runtime: Runtime,
    provider_url: str,
    space_name: str,
    models: dict[str, dict[str, object]],
    unentitled: tuple[str, ...] = (),
) -> Caller:
    """A new org whose space may call ``models`` (alias -> the tenant model's fields besides
    alias and provider) on an OpenAI-shaped provider at ``provider_url``; the ``unentitled``
    aliases are registered for the org but not allowed in the space."""
    org = await make_org(runtime)
    space = await make_space(client, org, space_name)
    r = await client.post(
        "/v1/providers",
        json={"name": "fake", "type": "openai", "base_url": provider_url, "api_key": "sk-x"},
        headers=org.headers,
    )
    assert r.status_code == 201, r.text
    provider_id = r.json()["id"]
    for alias, fields in models.items():
        body = {"alias": alias, "provider_id": provider_id, **fields}
        r = await client.post("/v1/tenant-models", json=body, headers=org.headers)
        assert r.status_code == 201, r.text
        if alias in unentitled:
            continue
        r = await client.post(
            f"/v1/spaces/{space['id']}/models",
            json={"tenant_model_id": r.json()["tenant_model_id"]},
            headers={**org.headers, "Idempotency-Key": uuid.uuid4().hex},
        )
        assert r.status_code == 201, r.text
    return Caller(org, str(space["id"]))
