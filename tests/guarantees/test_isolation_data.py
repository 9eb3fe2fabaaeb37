"""What one tenant reads never holds another's rows: every GET route (lists, inference logs,
usage summaries, audit logs, ``/v1/me/entitlements``, the gateway's model list...) filled with
the caller's own objects, after both tenants made real gateway calls in two spaces each. And a
key bound to one space cannot read or call a sibling space through the routes that take a space
in a query or header (the routes taking it in the path are in ``tests/api/test_isolation.py``).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from fastapi import FastAPI

from spacegate.runtime import Runtime
from tests.api.routes import operations
from tests.fakes.provider import FakeProvider
from tests.guarantees.exposure import Scanner
from tests.guarantees.report import record
from tests.guarantees.tenants import (
    CALLS_PER_SPACE,
    Tenant,
    gateway_server,
    make_tenant,
    upstream,
)
from tests.live import LiveServer

__all__ = ["gateway_server", "upstream"]  # fixtures used below

_PARAM = re.compile(r"\{(\w+)(?::[^}]*)?\}")
#: Pages large enough to hold everything a tenant made here.
_BIG_PAGE = {"limit": "100", "page_size": "100"}


def _fill(path: str, t: Tenant) -> str:
    by_name = {
        "org_id": t.org.org_id,
        "space_id": t.spaces[0],
        "workspace_id": t.spaces[0],
        "tenant_model_id": t.model_id,
        "logical_model_id": t.alias,
        "model": t.alias,
    }
    by_prefix = {
        "/v1/spaces/": t.spaces[0],
        "/v1/users/": t.org.user_id,
        "/v1/api-keys/": t.space_key_ids[0],
        "/v1/providers/": t.provider_id,
    }

    def value(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in by_name:
            return by_name[name]
        prefix = path[: m.start()]
        # A product resource's object (tests/api/test_isolation.py reads real ones): an id of
        # nothing still answers, and its answer is scanned for the other org's ids like any.
        return next((v for p, v in by_prefix.items() if prefix == p), str(uuid.uuid4()))

    return _PARAM.sub(value, path)


def _scanner(viewer: Tenant, other: Tenant) -> Scanner:
    scanner = Scanner(secrets={viewer.provider_secret, other.provider_secret})
    for key in (viewer.org.key, other.org.key, *viewer.space_keys, *other.space_keys):
        scanner.add_key(key)
    scanner.add_foreign("the other org's", *other.ids)
    return scanner


async def _get(api: httpx.AsyncClient, path: str, headers: dict[str, str], **params: str) -> Any:
    r = await api.get(path, params=params, headers=headers)
    assert r.status_code == 200, f"{path}: {r.status_code} {r.text[:300]}"
    return r.json()


async def test_no_read_holds_another_orgs_rows(
    app: FastAPI, runtime: Runtime, gateway_server: LiveServer, upstream: FakeProvider
) -> None:
    async with httpx.AsyncClient(base_url=gateway_server.url, timeout=30) as api:
        a = await make_tenant(api, runtime, upstream)
        b = await make_tenant(api, runtime, upstream)
    gets = [op for op in operations(app) if op.method == "GET"]
    attempts = leaks = 0
    for viewer, other in ((a, b), (b, a)):
        scanner = _scanner(viewer, other)
        owner = {**viewer.org.headers, "X-Space-Id": viewer.spaces[0]}
        hooks = {"response": [scanner.hook]}
        async with httpx.AsyncClient(
            base_url=gateway_server.url, event_hooks=hooks, timeout=30
        ) as api:
            for op in gets:
                for headers in (owner, viewer.key_headers(0)):
                    attempts += 1
                    r = await api.get(_fill(op.path, viewer), params=_BIG_PAGE, headers=headers)
                    assert r.status_code < 500, f"{op}: {r.status_code} {r.text[:300]}"
            # What each read must hold: the viewer's own rows, all of them, and nothing more.
            logs = await _get(api, "/v1/inference-logs", owner, page_size="100")
            items = logs.get("data", logs.get("items", []))
            assert sorted({i["space_id"] for i in items}) == sorted(viewer.spaces)
            assert len(items) == CALLS_PER_SPACE * 2
            summary = await _get(api, "/v1/inference-logs/summary", owner)
            assert summary["total_calls"] == CALLS_PER_SPACE * 2
            assert set(summary["model_usage"]) == {viewer.alias}
            for space in other.spaces:
                attempts += 3
                r = await api.get("/v1/inference-logs", params={"space_id": space}, headers=owner)
                assert r.status_code == 404 or _rows(r.json()) == [], r.text
                r = await api.get(
                    "/v1/inference-logs/summary", params={"space_id": space}, headers=owner
                )
                assert r.status_code == 404 or r.json()["total_calls"] == 0, r.text
                r = await api.get("/v1/audit-logs", params={"space_id": space}, headers=owner)
                assert r.status_code == 404 or _rows(r.json()) == [], r.text
            audit = await _get(api, "/v1/audit-logs", owner, limit="100")
            assert _rows(audit), "the viewer's own changes are audited"
            mine = await _get(api, "/v1/me/entitlements", viewer.key_headers(0))
            assert viewer.alias in str(mine)
            for space in other.spaces:
                attempts += 1
                r = await api.get(
                    "/v1/me/entitlements", headers={**viewer.org.headers, "X-Space-Id": space}
                )
                assert r.status_code in (403, 404), r.text
        attempts += scanner.bodies_scanned
        leaks += len(scanner.leaks)
        assert not scanner.leaks, "\n".join(scanner.leaks)
    record("isolation", attempts=attempts, leaks=leaks)


def _rows(body: Any) -> list[Any]:
    for name in ("data", "items", "entitlements"):
        if isinstance(body, dict) and name in body:
            rows: list[Any] = body[name]
            return rows
    raise AssertionError(f"not a list answer: {body!r:.300}")


async def test_a_space_bound_key_cannot_reach_its_sibling_space(
    runtime: Runtime, gateway_server: LiveServer, upstream: FakeProvider
) -> None:
    async with httpx.AsyncClient(base_url=gateway_server.url, timeout=30) as api:
        t = await make_tenant(api, runtime, upstream)
        home, sibling = t.spaces
        key = t.key_headers(0)
        attempts = 0
        failures: list[str] = []
        upstream_calls = len(upstream.requests)
        at_sibling = {**key, "X-Space-Id": sibling}
        chat = {"model": t.alias, "messages": [{"role": "user", "content": "hi"}]}
        for method, path, body in (
            ("POST", "/v1/chat/completions", chat),
            ("POST", "/v1/completions", {"model": t.alias, "prompt": "hi"}),
            ("POST", "/v1/embeddings", {"model": t.alias, "input": "hi"}),
            ("GET", "/v1/models", None),
            ("GET", f"/v1/models/{t.alias}", None),
            ("GET", "/v1/me/entitlements", None),
        ):
            attempts += 1
            r = await api.request(method, path, json=body, headers=at_sibling)
            if r.status_code not in (403, 404):
                failures.append(f"{method} {path} at the sibling: {r.status_code} {r.text[:200]}")
        if len(upstream.requests) != upstream_calls:
            failures.append("a call at the sibling space reached the provider")
        for path in ("/v1/inference-logs", "/v1/inference-logs/summary", "/v1/audit-logs"):
            attempts += 1
            r = await api.get(path, params={"space_id": sibling}, headers=key)
            if r.status_code in (403, 404):
                continue
            body = r.json()
            if r.status_code != 200 or body.get("total_calls", 0) or sibling in r.text:
                failures.append(f"GET {path}?space_id=sibling: {r.status_code} {r.text[:300]}")
        # Without a filter, a space-bound key reads its own space's calls and nothing else.
        attempts += 1
        r = await api.get("/v1/inference-logs", params={"page_size": "100"}, headers=key)
        if r.status_code == 200 and sibling in r.text:
            failures.append(f"GET /v1/inference-logs shows the sibling's calls: {r.text[:300]}")
        r = await api.get("/v1/inference-logs/summary", headers=key)
        if r.status_code == 200 and r.json()["total_calls"] != CALLS_PER_SPACE:
            failures.append(f"the summary counts the sibling's calls: {r.text[:300]}")
        assert home in t.spaces
    record("isolation", attempts=attempts, leaks=len(failures))
    assert not failures, "\n".join(failures)
