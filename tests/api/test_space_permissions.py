"""Every route that acts in a space checks a permission: a key of the space restricted to an
unrelated permission is refused (403) on each of them and changes nothing. The routes come from
the app's route table, so a new product route is covered by itself."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI

from spacegate.auth import resolver
from spacegate.runtime import Runtime
from tests.api import isolation
from tests.api.routes import fill, space_scoped
from tests.factories import OrgCtx, make_key


async def test_every_space_scoped_route_needs_its_permission(
    app: FastAPI, client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx
) -> None:
    # One call per route outruns the default per-org rate limit; this test is about 403s.
    r = await client.put(
        f"/v1/orgs/{org.org_id}/rate-limit",
        json={"rate_limit": "100000/hour,10000/minute"},
        headers=org.headers,
    )
    assert r.status_code == 200, r.text
    objects = await isolation.make_objects(client, runtime, org)
    await isolation.lift_rate_limit(client, org)
    key, _ = await make_key(client, org, space_id=objects.space_id, permissions=["spaces:get"])
    ops = [op for op in space_scoped(app) if not isolation.unknown_params(op)]
    assert ops
    # The key's own last_used_at is written on first use (then at most once a minute).
    assert (await client.get("/v1/users/me", headers={"X-API-Key": key})).status_code == 200
    failures = []
    for op in ops:
        await resolver.drain()
        before = await isolation.snapshot(runtime, org.org_id)
        r = await client.request(
            op.method,
            fill(op.path, isolation.values_for(op, objects)),
            json=isolation.body_for(op, objects),
            headers={"X-API-Key": key, "Idempotency-Key": str(uuid.uuid4())},
        )
        await resolver.drain()
        if r.status_code != 403 or r.json().get("code") != "permission_denied":
            failures.append(f"{op}: {r.status_code} {r.text[:300]}")
        if before != await isolation.snapshot(runtime, org.org_id):
            failures.append(f"{op}: changed the org's rows")
    assert not failures, "\n".join(failures)
