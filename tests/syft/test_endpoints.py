"""Endpoints: CRUD by slug, seed 003's pagination, publishing and the org's catalogue."""

from __future__ import annotations

import uuid

from tests.factories import make_key, make_space
from tests.syft.conftest import Caller


async def test_crud_by_slug(caller: Caller) -> None:
    model = await caller.model()
    made = await caller.endpoint(
        "hr-handbook", model_id=model["id"], response_type="summary", description="HR"
    )
    assert made["slug"] == "hr-handbook"
    assert made["model"] == {"id": model["id"], "name": "chat", "dtype": "openai"}
    assert made["policies"] == [] and made["published"] is False
    assert made["url"] == "/api/v1/endpoints/hr-handbook/query"

    for path in ("/api/v1/endpoints/hr-handbook", "/api/v1/endpoints/hr-handbook/"):
        r = await caller.http.get(path, headers=caller.headers)
        assert r.status_code == 200, r.text
    r = await caller.http.patch(
        "/api/v1/endpoints/hr-handbook", json={"summary": "Leave and pay"}, headers=caller.headers
    )
    assert r.status_code == 200 and r.json()["summary"] == "Leave and pay"

    r = await caller.http.get("/api/v1/models/chat", headers=caller.headers)
    assert r.json()["connected_endpoints"] == [
        {"id": made["id"], "name": "Hr-Handbook", "slug": "hr-handbook"}
    ]
    r = await caller.http.delete("/api/v1/models/chat", headers=caller.headers)
    assert r.status_code == 409, r.text

    r = await caller.http.delete("/api/v1/endpoints/hr-handbook", headers=caller.headers)
    assert r.status_code == 200 and r.json() == {"id": made["id"]}
    r = await caller.http.get("/api/v1/endpoints/hr-handbook", headers=caller.headers)
    assert r.status_code == 404
    assert r.json()["detail"] == "Endpoint 'hr-handbook' not found"


async def test_pagination_shape(caller: Caller) -> None:
    model = await caller.model()
    for i in range(3):
        await caller.endpoint(f"ep-{i}", model_id=model["id"], response_type="summary")
    r = await caller.http.get("/api/v1/endpoints/?skip=1&limit=1", headers=caller.headers)
    assert r.status_code == 200, r.text
    page = r.json()
    assert (page["total"], page["skip"], page["limit"]) == (3, 1, 1)
    assert [e["slug"] for e in page["items"]] == ["ep-1"]
    r = await caller.http.get("/api/v1/endpoints", headers=caller.headers)
    assert r.json()["limit"] == 100
    r = await caller.http.get("/api/v1/endpoints/?limit=1001", headers=caller.headers)
    assert r.status_code == 422


async def test_validation(caller: Caller) -> None:
    model = await caller.model()
    for slug in ("ab", "Bad-Slug", "a--b", "-ab", "x" * 65):
        r = await caller.post(
            "/api/v1/endpoints/",
            {"name": "n", "slug": slug, "model_id": model["id"], "response_type": "summary"},
        )
        assert r.status_code == 422, slug
        assert r.json()["detail"][0]["loc"] == ["body", "slug"]
    r = await caller.post(
        "/api/v1/endpoints/", {"name": "n", "slug": "abc", "response_type": "summary"}
    )
    assert r.status_code == 422 and r.json()["param"] == "model_id"
    r = await caller.post(
        "/api/v1/endpoints/", {"name": "n", "slug": "abc", "model_id": model["id"]}
    )
    assert r.status_code == 422 and r.json()["param"] == "dataset_id"  # "both" needs a dataset
    r = await caller.post(
        "/api/v1/endpoints/",
        {"name": "n", "slug": "abc", "model_id": str(uuid.uuid4()), "response_type": "summary"},
    )
    assert r.status_code == 422 and r.json()["param"] == "model_id"
    await caller.endpoint("abc", model_id=model["id"], response_type="summary")
    r = await caller.post(
        "/api/v1/endpoints/",
        {"name": "n", "slug": "abc", "model_id": model["id"], "response_type": "summary"},
    )
    assert r.status_code == 409
    assert r.json()["detail"] == "Endpoint with slug 'abc' already exists"


async def test_publish_and_catalogue(caller: Caller) -> None:
    model = await caller.model()
    await caller.endpoint("public-one", model_id=model["id"], response_type="summary")
    await caller.endpoint("private-one", model_id=model["id"], response_type="summary")
    r = await caller.http.post("/api/v1/endpoints/public-one/publish", headers=caller.headers)
    assert r.status_code == 200, r.text
    assert r.json()["published"] is True and r.json()["published_at"]

    # Another space of the org sees it in the catalogue, with its address.
    other = await make_space(caller.http, caller.org, "other")
    r = await caller.http.get("/api/v1/catalogue/", headers=caller.org.headers)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [i["slug"] for i in items] == ["public-one"]
    assert items[0]["space_id"] == caller.space_id
    assert items[0]["space_id"] != other["id"]

    r = await caller.http.patch(
        "/api/v1/settings/",
        json={"public_url": "https://space.example.com/"},
        headers=caller.org.headers,
    )
    assert r.status_code == 200, r.text
    r = await caller.http.get("/api/v1/catalogue", headers=caller.org.headers)
    assert (
        r.json()["items"][0]["url"] == "https://space.example.com/api/v1/endpoints/public-one/query"
    )

    # A key with no right to query sees an empty catalogue.
    key, _ = await make_key(caller.http, caller.org, permissions=["spaces:list"])
    r = await caller.http.get("/api/v1/catalogue/", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200 and r.json()["total"] == 0

    r = await caller.http.delete("/api/v1/endpoints/public-one/unpublish", headers=caller.headers)
    assert r.status_code == 200 and r.json()["published"] is False
    r = await caller.http.get("/api/v1/catalogue/", headers=caller.org.headers)
    assert r.json()["items"] == []


async def test_catalogue_off(caller: Caller) -> None:
    model = await caller.model()
    await caller.endpoint("pub", model_id=model["id"], response_type="summary", published=True)
    r = await caller.http.patch(
        "/api/v1/settings/", json={"catalogue_enabled": False}, headers=caller.org.headers
    )
    assert r.status_code == 200 and r.json()["catalogue_enabled"] is False
    r = await caller.http.get("/api/v1/catalogue/", headers=caller.org.headers)
    assert r.json()["total"] == 0
