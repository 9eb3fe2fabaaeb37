"""Settings: the org's public URL and catalogue switch, admins only; the seed's CORS."""

from __future__ import annotations

from tests.factories import invite_and_accept, make_key
from tests.syft.conftest import Caller


async def test_defaults_update_and_public_url(caller: Caller) -> None:
    r = await caller.http.get("/api/v1/settings/", headers=caller.org.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["public_url"] is None and body["catalogue_enabled"] is True
    assert "http://localhost:5173" in body["cors"]["allow_origins"]
    assert body["cors"]["allow_methods"] == ["GET", "POST", "PATCH", "DELETE", "OPTIONS"]
    assert body["cors"]["allow_headers"] == ["Content-Type", "Authorization"]

    r = await caller.http.patch(
        "/api/v1/settings/public-url",
        json={"public_url": "https://rag.example.com"},
        headers=caller.org.headers,
    )
    assert r.status_code == 200 and r.json() == {"public_url": "https://rag.example.com"}
    model = await caller.model()
    ep = await caller.endpoint("ep-1", model_id=model["id"], response_type="summary")
    assert ep["url"] == "https://rag.example.com/api/v1/endpoints/ep-1/query"

    r = await caller.http.patch(
        "/api/v1/settings/", json={"public_url": "ftp://x"}, headers=caller.org.headers
    )
    assert r.status_code == 422


async def test_admins_only(caller: Caller) -> None:
    member = await invite_and_accept(
        caller.http, caller.org, caller.space_id, "dev@example.com", [], role="developer"
    )
    dev_key = member.get("api_key") or member.get("key")
    headers = {"Authorization": f"Bearer {dev_key}"} if dev_key else None
    key, _ = await make_key(caller.http, caller.org, permissions=["settings:get"])
    for h in [x for x in (headers, {"Authorization": f"Bearer {key}"}) if x]:
        r = await caller.http.get("/api/v1/settings/", headers=h)
        assert r.status_code == 403, r.text
        r = await caller.http.patch(
            "/api/v1/settings/", json={"catalogue_enabled": False}, headers=h
        )
        assert r.status_code == 403


async def test_cors_preflight(caller: Caller) -> None:
    r = await caller.http.options(
        "/api/v1/endpoints/",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "Content-Type, Authorization",
        },
    )
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert r.headers["access-control-allow-credentials"] == "true"
    assert "PATCH" in r.headers["access-control-allow-methods"]
