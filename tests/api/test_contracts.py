"""Cross-cutting contracts: error shapes, request ids, probes, docs, auth on every route, 405."""

from __future__ import annotations

import os
import re
import uuid

import httpx
import pytest
from fastapi import FastAPI

from tests.api.routes import operations
from tests.factories import OrgCtx

#: Routes that answer without an API key, and why.
PUBLIC = {
    "/healthz": "liveness probe",
    "/readyz": "readiness probe",
    "/metrics": "Prometheus scrape endpoint (counters only, no tenant data)",
    "/docs": "interactive docs",
    "/": "points to the console and the docs",
    "/redoc": "interactive docs",
    "/docs/static/redoc.standalone.js": "interactive docs (its script)",
    "/openapi.json": "the API description",
    "/v1/users/accept-invite": "the invitation token is the credential",
}


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)


async def test_validation_errors_are_the_pydantic_list(
    client: httpx.AsyncClient, org: OrgCtx
) -> None:
    r = await client.post("/v1/spaces", json={"name": "", "description": 5}, headers=org.headers)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert isinstance(detail, list) and len(detail) == 2
    for error in detail:
        assert (
            {"loc", "msg", "type", "input"} <= set(error) <= {"loc", "msg", "type", "input", "ctx"}
        )
    by_field = {e["loc"][-1]: e for e in detail}
    assert by_field["name"]["type"] == "string_too_short"
    assert by_field["name"]["ctx"] == {"min_length": 1}
    assert by_field["description"]["input"] == 5


async def test_malformed_json_is_422(client: httpx.AsyncClient, org: OrgCtx) -> None:
    r = await client.post(
        "/v1/spaces",
        content=b"{not json",
        headers={**org.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "json_invalid"


async def test_domain_errors_have_detail_and_code(client: httpx.AsyncClient, org: OrgCtx) -> None:
    r = await client.get(f"/v1/spaces/{uuid.uuid4()}", headers=org.headers)
    assert r.status_code == 404
    body = r.json()
    assert set(body) == {"detail", "code"} and body["code"] == "space_not_found"


async def test_request_id_is_echoed_or_made(client: httpx.AsyncClient, org: OrgCtx) -> None:
    r = await client.get("/v1/users/me", headers={**org.headers, "X-Request-ID": "abc-123.x"})
    assert r.headers["x-request-id"] == "abc-123.x"
    made = (await client.get("/healthz")).headers["x-request-id"]
    other = (await client.get("/healthz")).headers["x-request-id"]
    assert made and other and made != other
    # A request id that could forge log lines is replaced, not echoed.
    r = await client.get("/healthz", headers={"X-Request-ID": "a b<script>"})
    assert r.headers["x-request-id"] != "a b<script>"
    # Errors carry it too.
    r = await client.get("/v1/users/me", headers={"X-Request-ID": "err-1"})
    assert r.status_code == 401 and r.headers["x-request-id"] == "err-1"


async def test_probes_need_no_key(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    r = await client.get("/readyz")
    assert r.status_code == 200 and r.json()["database"] == "ok"


async def test_docs_load(client: httpx.AsyncClient) -> None:
    for path in ("/docs", "/redoc"):
        r = await client.get(path)
        assert r.status_code == 200 and "text/html" in r.headers["content-type"]
        assert "cdn" not in r.text and "fonts.googleapis" not in r.text  # offline installs
        for asset in re.findall(r'(?:src|href)="(/docs/static/[^"]+)"', r.text):
            assert (await client.get(asset)).status_code == 200, asset
    home = await client.get("/")
    assert (
        home.status_code == 200 and 'href="/console"' in home.text and 'href="/docs"' in home.text
    )
    spec = (await client.get("/openapi.json")).json()
    assert spec["info"]["title"] == "Spacegate"
    assert "/v1/spaces/{id}/restore" in spec["paths"]
    schemes = spec["components"]["securitySchemes"]
    assert {"HTTPBearer", "APIKeyHeader"} <= set(schemes)


async def test_every_route_requires_a_key(app: FastAPI, client: httpx.AsyncClient) -> None:
    checked = 0
    for op in operations(app):
        method, path = op.method, op.path
        if path in PUBLIC:
            continue
        r = await client.request(method, _fill(path))
        assert r.status_code == 401, f"{method} {path} answered {r.status_code} without a key"
        assert "www-authenticate" in r.headers, f"{method} {path}"
        checked += 1
    assert checked >= 20


async def test_every_console_page_needs_a_sign_in(app: FastAPI, client: httpx.AsyncClient) -> None:
    """Without the console's cookie a page sends the browser to sign in; a form post is
    refused the same way: nothing runs for a stranger."""
    checked = 0
    for op in operations(app, console=True):
        if op.path in ("/console/login", "/console"):
            continue
        r = await client.request(op.method, _fill(op.path))
        assert r.status_code == 303, f"{op} answered {r.status_code} without a session"
        assert r.headers["location"].startswith("/console/login?next="), f"{op}"
        checked += 1
    assert checked >= 20


async def test_every_documented_route_is_a_real_route(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    spec = (await client.get("/openapi.json")).json()
    # A route may constrain a parameter (``{logical_model_id:path}``); OpenAPI names it plainly.
    routes = {re.sub(r"\{(\w+):[^}]+\}", r"{\1}", op.path) for op in operations(app)}
    assert set(spec["paths"]) <= routes
    # Seed 003 serves each path with and without its trailing slash; the docs show one form.
    documented = {p.rstrip("/") for p in spec["paths"]}
    assert {p for p in routes if p not in PUBLIC and p.rstrip("/") not in documented} == set()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/v1/spaces"),
        ("DELETE", "/v1/spaces"),
        ("PUT", "/v1/users/me"),
        ("TRACE", "/v1/spaces"),
        ("POST", "/healthz"),
    ],
)
async def test_unknown_methods_are_405(
    client: httpx.AsyncClient, org: OrgCtx, method: str, path: str
) -> None:
    r = await client.request(method, path, headers=org.headers)
    assert r.status_code == 405, r.text
    assert r.headers["allow"]
    assert r.json()["code"] == "method_not_allowed"


async def test_unknown_path_is_404_json(client: httpx.AsyncClient, org: OrgCtx) -> None:
    r = await client.get("/v1/nothing-here", headers=org.headers)
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_fastapi_opentelemetry_follows_the_deployment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Off unless OpenTelemetry is configured (no per-request provider look-ups for nothing);
    FastAPI's own defaults as soon as any ``OTEL_*`` variable is set."""
    from spacegate.main import telemetry

    for name in [n for n in os.environ if n.startswith(("OTEL_", "FASTAPI_OTEL_"))]:
        monkeypatch.delenv(name)
    assert telemetry() == {"tracing": False, "metrics": False, "logs": False}
    monkeypatch.setenv("OTEL_SERVICE_NAME", "spacegate")
    assert telemetry() is None


async def test_inference_routes_document_every_refusal_of_the_limits(
    client: httpx.AsyncClient,
) -> None:
    """A spent budget is a 402, a rate or concurrency cap a 429, limits that cannot be checked
    a 503: a client generated from /docs knows each."""
    spec = (await client.get("/openapi.json")).json()
    for path in ("/v1/chat/completions", "/v1/completions", "/v1/embeddings"):
        assert {"402", "429", "503"} <= set(spec["paths"][path]["post"]["responses"]), path
