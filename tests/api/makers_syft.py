"""Seed 003 models, endpoints and policies for the cross-org matrices."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx

from spacegate.runtime import Runtime
from tests.api.makers import Body, body, maker, space_headers

if TYPE_CHECKING:
    from tests.api.isolation import OrgObjects

MODEL = "/api/v1/models/{name}"
ENDPOINT = "/api/v1/endpoints/{slug}"
POLICY = "/api/v1/policies/{id}"


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@maker(MODEL)
async def _model(client: httpx.AsyncClient, _rt: Runtime, o: OrgObjects) -> str:
    # A view on the org's registry model (already entitled in the space): no provider needed.
    r = await client.post(
        "/api/v1/models/",
        json={"name": "syft-model", "tenant_model_id": o.model_id},
        headers=space_headers(o),
    )
    assert r.status_code == 201, r.text
    o.extra["syft_model_id"] = str(r.json()["id"])
    return "syft-model"


@maker(ENDPOINT)
async def _endpoint(client: httpx.AsyncClient, _rt: Runtime, o: OrgObjects) -> str:
    r = await client.post(
        "/api/v1/endpoints/",
        json={
            "name": "Matrix",
            "slug": "matrix-endpoint",
            "model_id": o.extra["syft_model_id"],
            "response_type": "summary",
            "published": True,
        },
        headers=space_headers(o),
    )
    assert r.status_code == 201, r.text
    o.extra["syft_endpoint_id"] = str(r.json()["id"])
    return "matrix-endpoint"


@maker(POLICY)
async def _policy(client: httpx.AsyncClient, _rt: Runtime, o: OrgObjects) -> str:
    r = await client.post(
        "/api/v1/policies/",
        json={
            "name": "nobody",
            "policy_type": "access",
            # The matrices' registry model has no provider to answer: queries stop here, before
            # the gateway (whose meter writes its rows later, off the request path).
            "configuration": {"deny": ["*"]},
            "endpoint_id": o.extra["syft_endpoint_id"],
        },
        headers=space_headers(o),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _both(route: str, make: Body) -> None:
    """Seed 003 paths answer with and without the trailing slash."""
    body(route, make)
    body(route[:-1] if route.endswith("/") else route + "/", make)


_both("POST /api/v1/models/", lambda o: {"name": _unique("m"), "tenant_model_id": o.model_id})
_both(f"PATCH {MODEL}", lambda o: {"summary": "changed", "tags": "a,b"})
_both(
    "POST /api/v1/endpoints/",
    lambda o: {
        "name": "E",
        "slug": _unique("ep"),
        "model_id": o.extra["syft_model_id"],
        "response_type": "summary",
    },
)
_both(f"PATCH {ENDPOINT}", lambda o: {"summary": "changed"})
body(
    f"POST {ENDPOINT}/query",
    lambda o: {"messages": "hello"},
    outside=((403,), "the matrices' endpoint has an access policy refusing everyone"),
)
_both(
    "POST /api/v1/policies/",
    lambda o: {
        "name": "limit",
        "policy_type": "rate_limit",
        "configuration": {"limit": "1000/h"},
        "endpoint_id": o.extra["syft_endpoint_id"],
    },
)
_both(f"PATCH {POLICY}", lambda o: {"name": "renamed"})
_both("PATCH /api/v1/settings/", lambda o: {"catalogue_enabled": True})
_both("PATCH /api/v1/settings/public-url", lambda o: {"public_url": "https://space.example.com"})
