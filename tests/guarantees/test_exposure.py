"""No answer and no log line gives a secret away: an API key's plaintext shows once, in the answer
that created it; key hashes and provider credentials never show; nothing of another org shows.

Two tenants use the platform for real (gateway calls through the fake provider, one of them
answered by an upstream error that quotes the credential it received), then every GET route is
read as each tenant's owner and space-bound key, with every log record of the process captured.
"""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from spacegate.models import ApiKey
from spacegate.runtime import Runtime
from tests.api.routes import operations
from tests.factories import invite_and_accept, make_org
from tests.fakes.provider import FakeProvider
from tests.guarantees.exposure import Scanner, capture_logs
from tests.guarantees.report import record
from tests.guarantees.tenants import Tenant, gateway_server, make_tenant, upstream
from tests.guarantees.test_isolation_data import _fill
from tests.live import LiveServer

__all__ = ["gateway_server", "upstream"]  # fixtures used below


async def _key_hashes(runtime: Runtime, *tenants: Tenant) -> list[str]:
    orgs = [uuid.UUID(t.org.org_id) for t in tenants]
    async with runtime.read_sessions() as s:
        rows = await s.execute(select(ApiKey.key_hash).where(ApiKey.org_id.in_(orgs)))
        return [str(h) for h in rows.scalars()]


async def test_no_secret_and_no_foreign_id_in_any_answer_or_log_line(
    app: FastAPI, runtime: Runtime, gateway_server: LiveServer, upstream: FakeProvider
) -> None:
    scanners: dict[str, Scanner] = {}
    with capture_logs() as lines:
        async with httpx.AsyncClient(base_url=gateway_server.url, timeout=30) as setup:
            a = await make_tenant(setup, runtime, upstream)
            b = await make_tenant(setup, runtime, upstream)
            # An upstream that quotes the credential it was sent, in an error.
            r = await setup.post(
                "/v1/tenant-models",
                json={
                    "alias": "quoting",
                    "provider_id": a.provider_id,
                    "upstream_model": "m+echo-key",
                },
                headers=a.org.headers,
            )
            assert r.status_code == 201, r.text
            quoting = r.json()["tenant_model_id"]
            r = await setup.post(
                f"/api-proxy/v1/spaces/{a.spaces[0]}/models",
                json={"tenant_model_id": quoting},
                headers={**a.org.headers, "Idempotency-Key": uuid.uuid4().hex},
            )
            assert r.status_code == 201, r.text
        hashes = await _key_hashes(runtime, a, b)
        for viewer, other in ((a, b), (b, a)):
            scanner = Scanner(secrets={a.provider_secret, b.provider_secret, *hashes})
            for key in (*a.space_keys, *b.space_keys, a.org.key, b.org.key):
                scanner.add_key(key)
            scanner.add_foreign("the other org's", *other.ids)
            scanners[viewer.org.org_id] = scanner
            hooks = {"response": [scanner.hook]}
            async with httpx.AsyncClient(
                base_url=gateway_server.url, event_hooks=hooks, timeout=30
            ) as api:
                if viewer is a:
                    r = await api.post(
                        "/v1/chat/completions",
                        json={"model": "quoting", "messages": [{"role": "user", "content": "x"}]},
                        headers=a.key_headers(0),
                    )
                    assert r.status_code >= 400, r.text
                    assert upstream.last.headers.get("authorization", "").endswith(
                        a.provider_secret
                    )
                for op in operations(app):
                    if op.method != "GET":
                        continue
                    for headers in (
                        {**viewer.org.headers, "X-Space-Id": viewer.spaces[0]},
                        viewer.key_headers(0),
                    ):
                        r = await api.get(_fill(op.path, viewer), headers=headers)
                        assert r.status_code < 500, f"{op}: {r.status_code}"
    total = Scanner()
    for scanner in scanners.values():
        total.bodies_scanned += scanner.bodies_scanned
        total.leaks += scanner.leaks
    total.keys = {*a.space_keys, *b.space_keys, a.org.key, b.org.key}
    total.secrets = {a.provider_secret, b.provider_secret, *hashes}
    for line in lines:
        total.scan_log(line)
    record(
        "exposure",
        bodies_scanned=total.bodies_scanned,
        log_lines_scanned=total.log_lines_scanned,
        leaks=len(total.leaks),
    )
    assert not total.leaks, "\n".join(total.leaks)


async def test_a_new_keys_secret_is_shown_to_its_creator_only(
    runtime: Runtime, gateway_server: LiveServer
) -> None:
    """A retry with the same Idempotency-Key replays the creation, secret included, to whoever
    sent it; anyone else in the org sending that key must not receive the secret."""
    async with httpx.AsyncClient(base_url=gateway_server.url, timeout=30) as api:
        org = await make_org(runtime)
        space = await api.post(
            "/v1/spaces", json={"name": "s", "description": ""}, headers=org.headers
        )
        member = await invite_and_accept(api, org, space.json()["id"], "dev@example.com", [])
        member_key = str(member["api_key"])
        idem = {"Idempotency-Key": f"create-key-{uuid.uuid4().hex[:6]}"}
        scanner = Scanner()
        scanner.add_key(org.key)
        scanner.add_key(member_key)
        first = await api.post("/v1/api-keys", json={"name": "ci"}, headers={**org.headers, **idem})
        assert first.status_code == 201, first.text
        scanner.scan_httpx(first)
        secret = first.json()["key"]
        again = await api.post("/v1/api-keys", json={"name": "ci"}, headers={**org.headers, **idem})
        assert again.headers.get("idempotent-replayed") == "true"
        assert again.json()["key"] == secret  # the creator's retry gets what it lost
        scanner.scan_httpx(again)
        other = await api.post(
            "/v1/api-keys", json={"name": "ci"}, headers={"X-API-Key": member_key, **idem}
        )
        scanner.scan_httpx(other)
    record("exposure", bodies_scanned=scanner.bodies_scanned, leaks=len(scanner.leaks))
    assert secret not in other.text, f"another member received the new key: {other.status_code}"
    assert not scanner.leaks, "\n".join(scanner.leaks)
