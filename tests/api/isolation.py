"""What the cross-org matrix needs to call every route with another org's real objects.

``PARAMS`` maps a path parameter to the org-A object it names. A parameter called ``id`` means a
different object under each prefix, so it is keyed by the path before it (``"/v1/spaces/{id}"``);
every other name is keyed by itself. A route whose parameter is in neither ``PARAMS`` nor
``EXEMPT`` makes the matrix fail: register it here, with a maker for a real object, when you add
the route. ``BODIES`` holds a valid body for the routes that need one (an invalid body would be
answered 422 before the route could show whether it leaks).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select

from spacegate.db.base import Base
from spacegate.models import Entitlement, ProviderConnection, RegisteredModel
from spacegate.runtime import Runtime
from tests.api import makers
from tests.api.routes import Operation
from tests.factories import OrgCtx, invite_and_accept, make_key, make_space


@dataclass
class OrgObjects:
    """One real object of every kind, all in one org."""

    org: OrgCtx
    space_id: str
    deleted_space_id: str
    member_user_id: str
    api_key_id: str
    provider_id: str
    model_id: str
    model_alias: str
    #: Objects of the product areas, by their PARAMS key (made by ``tests.api.makers``).
    extra: dict[str, str]


Pick = Callable[[OrgObjects], str]

PARAMS: dict[str, Pick] = {
    "org_id": lambda o: o.org.org_id,
    "space_id": lambda o: o.space_id,
    "workspace_id": lambda o: o.space_id,
    "tenant_model_id": lambda o: o.model_id,
    "logical_model_id": lambda o: o.model_alias,
    "model": lambda o: o.model_alias,
    "/v1/spaces/{id}": lambda o: o.space_id,
    "/v1/users/{id}": lambda o: o.member_user_id,
    "/v1/api-keys/{id}": lambda o: o.api_key_id,
    "/v1/providers/{id}": lambda o: o.provider_id,
}

PARAMS.update(makers.params())

#: Path parameters that do not name a tenant's object, with the reason.
EXEMPT: dict[str, str] = {}

BODIES: dict[str, Callable[[OrgObjects], dict[str, Any]]] = makers.bodies() | {
    "POST /v1/spaces/{id}/invite": lambda o: {"emails": ["x@example.com"], "roles": []},
    "POST /v1/users/{id}/permissions": lambda o: {"permissions": ["trainings:get"]},
    "PUT /v1/orgs/{org_id}/rate-limit": lambda o: {"rate_limit": "1/day"},
    "POST /api-proxy/v1/spaces/{space_id}/models": lambda o: {"tenant_model_id": o.model_id},
    "POST /v1/spaces/{space_id}/models": lambda o: {"tenant_model_id": o.model_id},
    "POST /v1/orgs/{org_id}/workspaces/{workspace_id}/model-entitlements": lambda o: {
        "logical_model_id": o.model_alias
    },
}


def param_key(op: Operation, name: str) -> str:
    if name == "id":
        return op.path[: op.path.index("{id}") + len("{id}")]
    # A name several prefixes share (seed 003's ``{name}``) may be keyed by its path.
    marker = "{" + name + "}"
    if marker not in op.path:  # a constrained parameter, ``{name:path}``
        return name
    scoped = op.path[: op.path.index(marker) + len(marker)]
    return scoped if scoped in PARAMS else name


def unknown_params(op: Operation) -> list[str]:
    return [
        key
        for key in (param_key(op, n) for n in op.params)
        if key not in PARAMS and key not in EXEMPT
    ]


def values_for(op: Operation, objects: OrgObjects) -> dict[str, str]:
    return {n: PARAMS[param_key(op, n)](objects) for n in op.params}


def body_for(op: Operation, objects: OrgObjects) -> dict[str, Any] | None:
    maker = BODIES.get(str(op))
    if maker is not None:
        return maker(objects)
    return {} if op.method in ("POST", "PUT", "PATCH") else None


async def make_objects(client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx) -> OrgObjects:
    space = await make_space(client, org, "a-space")
    gone = await make_space(client, org, "a-deleted")
    r = await client.delete(f"/v1/spaces/{gone['id']}", headers=org.headers)
    assert r.status_code == 200, r.text
    member = await invite_and_accept(client, org, space["id"], "member@example.com", [])
    _, key = await make_key(client, org)
    org_id = uuid.UUID(org.org_id)
    alias = f"model-{uuid.uuid4().hex[:8]}"
    async with runtime.write_sessions() as s, s.begin():
        provider = ProviderConnection(
            org_id=org_id, name="upstream", type="openai", base_url="https://llm.example.com/v1"
        )
        model = RegisteredModel(
            org_id=org_id,
            alias=alias,
            capabilities=["chat"],
            input_price_per_mtok=Decimal("1"),
        )
        s.add_all([provider, model])
        await s.flush()
        s.add(Entitlement(org_id=org_id, space_id=uuid.UUID(str(space["id"])), model_id=model.id))
    user = member["user"]
    assert isinstance(user, dict)
    objects = OrgObjects(
        org=org,
        space_id=str(space["id"]),
        deleted_space_id=str(gone["id"]),
        member_user_id=str(user["id"]),
        api_key_id=str(key["id"]),
        provider_id=str(provider.id),
        model_id=str(model.id),
        model_alias=alias,
        extra={},
    )
    await makers.make_all(client, runtime, objects)
    return objects


async def snapshot(
    runtime: Runtime, org_id: str, leave_out: Collection[tuple[str, str]] = ()
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table that belongs to the org, but the ``(table, column)`` pairs
    left out."""
    oid = uuid.UUID(org_id)
    out: dict[str, list[tuple[Any, ...]]] = {}
    async with runtime.read_sessions() as s:
        for table in Base.metadata.sorted_tables:
            if "org_id" in table.c:
                where = table.c.org_id == oid
            elif table.name == "orgs":
                where = table.c.id == oid
            else:
                continue
            cols = [c for c in table.c if (table.name, c.name) not in leave_out]
            rows = await s.execute(select(*cols).where(where).order_by(*table.primary_key))
            out[table.name] = [tuple(r) for r in rows]
    return out


async def lift_rate_limit(client: httpx.AsyncClient, org: OrgCtx) -> None:
    """A pass over every route outruns the default per-org rate limit (100/minute); the
    matrices are about statuses, not limits."""
    r = await client.put(
        f"/v1/orgs/{org.org_id}/rate-limit",
        json={"rate_limit": "100000/hour,10000/minute"},
        headers=org.headers,
    )
    assert r.status_code == 200, r.text
