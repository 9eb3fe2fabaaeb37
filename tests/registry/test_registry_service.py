"""The lookups other services (entitlements, the gateway) build on."""

from __future__ import annotations

import uuid

import httpx
import pytest

from spacegate.auth.resolver import resolve
from spacegate.errors import NotFound
from spacegate.registry.service import RegistryService
from spacegate.runtime import Runtime
from tests.factories import OrgCtx
from tests.providers.helpers import make_provider


async def test_lookups_by_id_alias_and_reference(
    client: httpx.AsyncClient, org: OrgCtx, other_org: OrgCtx, runtime: Runtime
) -> None:
    a = await make_provider(client, org, name="a")
    b = await make_provider(client, org, name="b")
    r = await client.post(
        "/v1/tenant-models",
        json={
            "alias": "team/gpt:4o",
            "targets": [
                {"provider_id": a["id"], "upstream_model": "fallback", "priority": 2},
                {"provider_id": b["id"], "upstream_model": "first", "priority": 1},
            ],
        },
        headers=org.headers,
    )
    assert r.status_code == 201, r.text
    model_id = uuid.UUID(r.json()["tenant_model_id"])
    tp = await make_provider(client, other_org)
    r = await client.post(
        "/v1/tenant-models",
        json={"alias": "theirs", "provider_id": tp["id"], "upstream_model": "m"},
        headers=other_org.headers,
    )
    theirs_id = uuid.UUID(r.json()["tenant_model_id"])

    principal = await resolve(runtime, org.key)
    async with runtime.read_sessions() as session:
        svc = RegistryService(session, principal, runtime.cursors)
        assert (await svc.get_model(model_id)).alias == "team/gpt:4o"
        assert (await svc.get_model_by_alias("team/gpt:4o")).id == model_id
        assert (await svc.resolve_model(str(model_id))).id == model_id
        assert (await svc.resolve_model("team/gpt:4o")).id == model_id
        targets = await svc.targets(model_id)
        assert [t.upstream_model for t in targets] == ["first", "fallback"]
        assert await svc.uses_connection(uuid.UUID(a["id"])) is True
        for call in (
            svc.get_model(theirs_id),
            svc.get_model_by_alias("theirs"),
            svc.resolve_model(str(theirs_id)),
            svc.resolve_model("missing"),
            svc.get_model(uuid.uuid4()),
        ):
            with pytest.raises(NotFound) as info:
                await call
            assert info.value.code == "model_not_found"
        assert await svc.targets(theirs_id) == []
