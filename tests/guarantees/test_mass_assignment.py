"""No body can set what its caller may not: every POST/PUT/PATCH body of the schema, valid but
for one extra field naming something the server owns (``org_id``, ``role``, ``key_hash``, ids,
timestamps, usage counters...), is refused with 422 and changes nothing. The same body without
the extra field is then accepted, which proves the refusal was about that field.

The operations come from the OpenAPI document, so a new body is covered by itself: one without
a valid body registered in ``VALID`` fails here until it is.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from spacegate.auth import resolver
from spacegate.runtime import Runtime
from tests.api import isolation, makers
from tests.api.isolation import OrgObjects
from tests.api.routes import Operation, fill, operations
from tests.factories import OrgCtx
from tests.guarantees.exposure import Scanner, capture_logs, key_hash
from tests.guarantees.report import record
from tests.jobs.hold import jobs_held

#: Bodies that are open by design, and why.
OPEN_BODIES = {
    "POST /v1/chat/completions": "OpenAI wire format: unknown parameters go to the provider",
    "POST /v1/completions": "OpenAI wire format: unknown parameters go to the provider",
    "POST /v1/embeddings": "OpenAI wire format: unknown parameters go to the provider",
}


@dataclass
class Ctx:
    client: httpx.AsyncClient
    org: OrgCtx
    objects: OrgObjects
    other: OrgCtx

    async def model(self) -> str:
        """A new model of the org, entitled nowhere."""
        r = await self.client.post(
            "/v1/tenant-models", json=await _model(self), headers=self.org.headers
        )
        assert r.status_code == 201, r.text
        return str(r.json()["tenant_model_id"])

    async def invitation(self) -> str:
        r = await self.client.post(
            f"/v1/spaces/{self.objects.space_id}/invite",
            json={"emails": [f"{_unique('p')}@example.com"], "roles": []},
            headers=self.org.headers,
        )
        assert r.status_code == 200, r.text
        return str(r.json()["invitations"][0]["token"])


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def _static(body: dict[str, Any], _ctx: Ctx) -> dict[str, Any]:
    return body


def _fixed(body: dict[str, Any]) -> Callable[[Ctx], Awaitable[dict[str, Any]]]:
    return lambda ctx: _static(body, ctx)


async def _space(_ctx: Ctx) -> dict[str, Any]:
    return {"name": _unique("s"), "description": "d"}


async def _model(ctx: Ctx) -> dict[str, Any]:
    return {
        "alias": _unique("m"),
        "provider_id": ctx.objects.provider_id,
        "upstream_model": "gpt-x",
    }


async def _provider(_ctx: Ctx) -> dict[str, Any]:
    # A public address literal: accepted without a DNS lookup, never contacted at creation.
    return {"name": _unique("p"), "type": "openai", "base_url": "https://8.8.8.8/v1"}


async def _allow(ctx: Ctx) -> dict[str, Any]:
    return {"tenant_model_id": await ctx.model()}


async def _grant(ctx: Ctx) -> dict[str, Any]:
    model = await ctx.model()
    r = await ctx.client.get(f"/v1/tenant-models/{model}", headers=ctx.org.headers)
    return {"logical_model_id": r.json()["alias"]}


async def _accept(ctx: Ctx) -> dict[str, Any]:
    return {"token": await ctx.invitation()}


VALID_RATE_LIMIT = {"rate_limit": "100000/minute"}

#: A valid body per operation (a fresh one per call where the body creates something unique).
VALID: dict[str, Callable[[Ctx], Awaitable[dict[str, Any]]]] = {
    "POST /v1/spaces": _space,
    "PATCH /v1/spaces/{id}": _fixed({"description": "changed"}),
    "POST /v1/spaces/{id}/invite": _fixed({"emails": ["guest@example.com"], "roles": []}),
    "PATCH /v1/users/me": _fixed({"first_name": "Ada"}),
    "POST /v1/users/accept-invite": _accept,
    "PATCH /v1/users/{id}": _fixed({"first_name": "Grace"}),
    "POST /v1/users/{id}/permissions": _fixed({"permissions": ["trainings:get"]}),
    "POST /v1/api-keys": _fixed({"name": "k"}),
    "PATCH /v1/orgs/{org_id}": _fixed({"timezone": "UTC"}),
    "POST /v1/providers": _provider,
    "PATCH /v1/providers/{id}": _fixed({"enabled": True}),
    "POST /v1/tenant-models": _model,
    "PATCH /v1/tenant-models/{tenant_model_id}": _fixed({"display_name": "Renamed"}),
    "POST /api-proxy/v1/tenant/models": _model,
    "PATCH /api-proxy/v1/tenant/models/{tenant_model_id}": _fixed({"display_name": "Again"}),
    "POST /api-proxy/v1/spaces/{space_id}/models": _allow,
    "POST /v1/spaces/{space_id}/models": _allow,
    "PUT /api-proxy/v1/spaces/{space_id}/model-policy": _fixed({"mode": "dynamic"}),
    "POST /v1/orgs/{org_id}/workspaces/{workspace_id}/model-entitlements": _grant,
    "PATCH /v1/orgs/{org_id}/workspaces/{workspace_id}/model-entitlements/{logical_model_id}": (
        _fixed({"enabled": True})
    ),
    "PUT /v1/orgs/{org_id}/rate-limit": _fixed(VALID_RATE_LIMIT),
    "PUT /v1/api-keys/{id}/limits": _fixed({"rpm": 600}),
}


#: Bodies that are not JSON objects, and why no field of theirs can name a server-owned value.
NON_JSON_BODIES = {
    "POST /api/v1/datasets/{name}/documents": "multipart `file` only: the document row is the "
    "server's, made from the file (tests/rag/test_documents.py)",
    "POST /v1/personas/upload": "multipart files only: a file's columns other than name, "
    "birthdate and notes land in the persona's `data`, never on a server-owned column "
    "(tests/copilot/test_persona_import.py)",
}

#: Routes that also need a signature of the body (401 without it; their own tests sign them).
SIGNED = frozenset({"POST /v1/webhooks"})
#: A key's ``last_used_at`` is written at most once a minute by whatever request uses it (a
#: refused one too): a pass over every route outlasts that minute, and it is no field a body set.
USED = (("api_keys", "last_used_at"),)


def _registered(route: str) -> Callable[[Ctx], Awaitable[dict[str, Any]]]:
    """A product area's valid body (``tests.api.makers``), made afresh for each call."""
    make = makers.bodies()[route]
    return lambda ctx: _static(make(ctx.objects), ctx)


def _extras(ctx: Ctx) -> dict[str, Any]:
    """Fields the server owns, with values an attacker would like them to take."""
    return {
        "org_id": ctx.other.org_id,
        "tenant_id": ctx.other.org_id,
        "id": str(uuid.uuid4()),
        "user_id": ctx.other.user_id,
        "owner_id": ctx.other.user_id,
        "created_by": ctx.other.user_id,
        "granted_by": ctx.other.user_id,
        "role": "owner",
        "is_owner": True,
        "permissions": ["*"],
        "key_hash": key_hash(ctx.org.key),
        "api_key_hint": "sk-...0000",
        "has_api_key": True,
        "created_at": "2000-01-01T00:00:00Z",
        "updated_at": "2000-01-01T00:00:00Z",
        "deleted_at": None,
        "revoked_at": None,
        "last_used_at": "2000-01-01T00:00:00Z",
        "request_count": 0,
        "total_tokens": 0,
        "usage": {"total_tokens": 0},
        "entitlement_id": str(uuid.uuid4()),
        "space_id": str(uuid.uuid4()),
        "workspace_id": str(uuid.uuid4()),
    }


def _body_ops(app: FastAPI) -> list[tuple[Operation, set[str]]]:
    spec = app.openapi()
    components = spec["components"]["schemas"]
    out = []
    for op in operations(app):
        item = spec["paths"].get(op.path, {}).get(op.method.lower())
        if item is None or "requestBody" not in item or str(op) in OPEN_BODIES:
            continue
        if "application/json" not in item["requestBody"]["content"]:
            assert str(op) in NON_JSON_BODIES, f"{op}: a non-JSON body; say why in NON_JSON_BODIES"
            continue
        schema = item["requestBody"]["content"]["application/json"]["schema"]
        schema = components.get(schema.get("$ref", "").rsplit("/", 1)[-1], schema)
        out.append((op, set(schema.get("properties", {}))))
    return out


async def test_every_body_has_a_registered_valid_example(app: FastAPI) -> None:
    missing = [str(op) for op, _ in _body_ops(app) if str(op) not in VALID | makers.bodies()]
    assert not missing, f"register a valid body in VALID (test_mass_assignment.py): {missing}"


async def test_server_owned_fields_are_refused_and_change_nothing(
    app: FastAPI,
    client: httpx.AsyncClient,
    runtime: Runtime,
    org: OrgCtx,
    other_org: OrgCtx,
) -> None:
    scanner = Scanner()
    for key in (org.key, other_org.key):
        scanner.add_key(key)
    scanner.add_foreign("another org's", other_org.user_id)  # its org id is echoed as input
    client.event_hooks["response"].append(scanner.hook)
    # Hundreds of calls in a few seconds: lift the org's request limit (100/minute by default).
    r = await client.put(
        f"/v1/orgs/{org.org_id}/rate-limit", json=VALID_RATE_LIMIT, headers=org.headers
    )
    assert r.status_code == 200, r.text
    objects = await isolation.make_objects(client, runtime, org)
    ctx = Ctx(client, org, objects, other_org)
    attempts = accepted = 0
    failures: list[str] = []
    # Valid bodies queue background work (scans, trainings): held until the end, it cannot
    # change the rows the next route's refused bodies are checked against.
    async with jobs_held():
        with capture_logs() as lines:
            for op, declared in _body_ops(app):
                maker = VALID.get(str(op)) or _registered(str(op))
                path = fill(op.path, isolation.values_for(op, objects))
                headers = (
                    {}
                    if op.path == "/v1/users/accept-invite"
                    else {**org.headers, "X-Space-Id": objects.space_id}
                )
                body = await maker(ctx)
                await resolver.drain()
                # The previous route's model call (if any) is metered off the request path.
                await app.state.gateway.meter.flush()
                before = await isolation.snapshot(runtime, org.org_id, USED)
                for field, value in _extras(ctx).items():
                    if field in declared:
                        continue
                    attempts += 1
                    r = await client.request(
                        op.method,
                        path,
                        json={**body, field: value},
                        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
                    )
                    if r.status_code != 422 or field not in r.text:
                        accepted += 1
                        failures.append(f"{op} + {field}: {r.status_code} {r.text[:200]}")
                await resolver.drain()
                after = await isolation.snapshot(runtime, org.org_id, USED)
                if after != before:
                    changed = [t for t in after if after[t] != before.get(t)]
                    failures.append(f"{op}: the refused bodies changed rows in {changed}")
                r = await client.request(
                    op.method, path, json=body, headers={**headers, "Idempotency-Key": _unique("i")}
                )
                outside = makers.expected_statuses(str(op))
                if outside is not None:
                    if r.status_code not in outside:
                        failures.append(f"{op}: expected {outside}, got {r.status_code} {r.text}")
                elif not 200 <= r.status_code < 300 and str(op) not in SIGNED:
                    failures.append(
                        f"{op}: the valid body itself was refused: {r.status_code} {r.text}"
                    )
    for line in lines:
        scanner.scan_log(line)
    record("mass_assignment", attempts=attempts, accepted=accepted)
    record(
        "exposure",
        bodies_scanned=scanner.bodies_scanned,
        log_lines_scanned=scanner.log_lines_scanned,
        leaks=len(scanner.leaks),
    )
    assert attempts >= 300
    assert not failures, "\n".join(failures)
    assert not scanner.leaks, "\n".join(scanner.leaks)
