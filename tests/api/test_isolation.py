"""Another org's objects answer 404 on every route, and nothing of theirs changes.

The routes come from the app's own route table, so a new route is covered by itself; one whose
path parameter is not registered in ``tests/api/isolation.py`` fails here until it is.
"""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI

from spacegate.auth import resolver
from spacegate.runtime import Runtime
from tests.api import isolation
from tests.api.routes import Operation, fill, operations, space_scoped
from tests.factories import OrgCtx, make_key


def _routes_with_params(app: FastAPI) -> list[Operation]:
    return [op for op in operations(app) if op.params]


async def test_every_path_parameter_is_registered(app: FastAPI) -> None:
    missing = {
        str(op): isolation.unknown_params(op)
        for op in _routes_with_params(app)
        if isolation.unknown_params(op)
    }
    assert not missing, (
        "These routes have path parameters the cross-org matrix cannot fill. Register each in "
        "tests/api/isolation.py (PARAMS: how to make a real object of another org; or EXEMPT "
        f"with a reason): {missing}"
    )


async def test_other_orgs_objects_are_404_and_unchanged(
    app: FastAPI,
    client: httpx.AsyncClient,
    runtime: Runtime,
    org: OrgCtx,
    other_org: OrgCtx,
) -> None:
    victim = await isolation.make_objects(client, runtime, org)
    ops = [op for op in _routes_with_params(app) if not isolation.unknown_params(op)]
    await isolation.lift_rate_limit(client, other_org)
    assert len(ops) >= 15
    failures: list[str] = []
    for attacker in (other_org.headers, {"X-API-Key": other_org.key}):
        for op in ops:
            await resolver.drain()
            before = await isolation.snapshot(runtime, org.org_id)
            r = await client.request(
                op.method,
                fill(op.path, isolation.values_for(op, victim)),
                json=isolation.body_for(op, victim),
                headers={
                    **attacker,
                    "Idempotency-Key": str(uuid.uuid4()),
                    "X-Space-Id": victim.space_id,
                },
            )
            await resolver.drain()
            after = await isolation.snapshot(runtime, org.org_id)
            if r.status_code == 422:
                failures.append(
                    f"{op}: 422 {r.text[:300]} (register a valid body in isolation.BODIES)"
                )
            elif r.status_code != 404:
                failures.append(f"{op}: {r.status_code} {r.text[:300]}")
            if before != after:
                changed = [t for t in before if before[t] != after.get(t)]
                failures.append(f"{op}: changed org A's rows in {changed}")
    assert not failures, "\n".join(failures)


async def test_space_bound_key_cannot_reach_a_sibling_space(
    app: FastAPI, client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx
) -> None:
    objects = await isolation.make_objects(client, runtime, org)
    home = await client.post(
        "/v1/spaces", json={"name": "home", "description": ""}, headers=org.headers
    )
    key, _ = await make_key(client, org, space_id=home.json()["id"])
    ops = [
        op
        for op in _routes_with_params(app)
        if not isolation.unknown_params(op)
        and any(
            isolation.param_key(op, p) in ("space_id", "workspace_id", "/v1/spaces/{id}")
            for p in op.params
        )
    ]
    assert ops
    # Its own last_used_at is written on first use (then at most once a minute): get that done.
    assert (await client.get("/v1/users/me", headers={"X-API-Key": key})).status_code == 200
    failures = []
    for op in ops:
        await resolver.drain()
        before = await isolation.snapshot(runtime, org.org_id)
        r = await client.request(
            op.method,
            fill(op.path, isolation.values_for(op, objects)),
            json=isolation.body_for(op, objects),
            headers={
                "X-API-Key": key,
                "Idempotency-Key": str(uuid.uuid4()),
                "X-Space-Id": objects.space_id,
            },
        )
        await resolver.drain()
        if r.status_code != 404:
            failures.append(f"{op}: {r.status_code} {r.text[:300]}")
        after = await isolation.snapshot(runtime, org.org_id)
        if before != after:
            changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            failures.append(f"{op}: changed rows {changed}")
    assert not failures, "\n".join(failures)


async def test_another_orgs_space_is_404_on_every_space_scoped_route(
    app: FastAPI, client: httpx.AsyncClient, runtime: Runtime, org: OrgCtx, other_org: OrgCtx
) -> None:
    """Routes whose space is named by ``X-Space-Id`` (seed 004's chats, trainings ...): naming
    another org's space finds nothing there, lists included, and changes nothing."""
    victim = await isolation.make_objects(client, runtime, org)
    ops = [op for op in space_scoped(app) if not isolation.unknown_params(op)]
    assert any(not op.params for op in ops)
    await isolation.lift_rate_limit(client, other_org)
    failures = []
    for op in ops:
        await resolver.drain()
        before = await isolation.snapshot(runtime, org.org_id)
        r = await client.request(
            op.method,
            fill(op.path, isolation.values_for(op, victim)),
            json=isolation.body_for(op, victim),
            headers={
                **other_org.headers,
                "Idempotency-Key": str(uuid.uuid4()),
                "X-Space-Id": victim.space_id,
            },
        )
        await resolver.drain()
        if r.status_code != 404 or r.json().get("code") != "space_not_found":
            failures.append(f"{op}: {r.status_code} {r.text[:300]}")
        if before != await isolation.snapshot(runtime, org.org_id):
            failures.append(f"{op}: changed org A's rows")
    assert not failures, "\n".join(failures)
