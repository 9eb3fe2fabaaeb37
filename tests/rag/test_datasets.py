"""Seed 003 datasets: CRUD by name, shapes, 404 / 409, types, both path forms."""

from __future__ import annotations

import httpx

from tests.factories import Caller
from tests.rag.conftest import EMBED, make_dataset


async def test_seed_body_works_as_written(http: httpx.AsyncClient, caller: Caller) -> None:
    body = {
        "name": "my-dataset",
        "dtype": "local_file",
        "configuration": {"connection_override": None},
    }
    r = await http.post("/api/v1/datasets/", json=body, headers=caller.headers)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["name"] == "my-dataset" and made["dtype"] == "local_file"
    assert made["created_at"].endswith("Z") and made["updated_at"].endswith("Z")
    assert made["configuration"]["connection_override"] is None
    assert made["configuration"]["chunk_size"] == 256
    assert made["ingestion"]["status"] == "empty" and made["connected_endpoints"] == []
    assert {"id", "summary", "tags"} <= set(made)

    r = await http.post("/api/v1/datasets/", json=body, headers=caller.headers)
    assert r.status_code == 409, r.text

    r = await http.get("/api/v1/datasets/my-dataset", headers=caller.headers)
    assert r.status_code == 200 and r.json()["id"] == made["id"]
    r = await http.get("/api/v1/datasets/my-dataset/", headers=caller.headers)
    assert r.status_code == 200 and r.json()["id"] == made["id"]


async def test_unknown_dataset_is_the_seed_404(http: httpx.AsyncClient, caller: Caller) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        r = await http.request(
            method,
            "/api/v1/datasets/my-dataset",
            json={"summary": "x"} if method == "PATCH" else None,
            headers=caller.headers,
        )
        assert r.status_code == 404, r.text
        assert r.json()["detail"] == "Dataset 'my-dataset' not found"


async def test_list_pages_with_skip_and_limit(http: httpx.AsyncClient, caller: Caller) -> None:
    for i in range(3):
        await make_dataset(http, caller, f"ds-{i}")
    for path in ("/api/v1/datasets/", "/api/v1/datasets"):
        r = await http.get(path, params={"skip": 1, "limit": 1}, headers=caller.headers)
        assert r.status_code == 200, r.text
        page = r.json()
        assert page["total"] == 3 and page["skip"] == 1 and page["limit"] == 1
        assert [d["name"] for d in page["items"]] == ["ds-1"]
    r = await http.get("/api/v1/datasets/", headers=caller.headers)
    assert r.json()["limit"] == 100
    r = await http.get("/api/v1/datasets/", params={"limit": 1001}, headers=caller.headers)
    assert r.status_code == 422


async def test_post_without_trailing_slash_keeps_its_body(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    r = await http.post(
        "/api/v1/datasets",
        json={"name": "no-slash", "dtype": "local_file", "configuration": {}},
        headers=caller.headers,
    )
    assert r.status_code == 201, r.text


async def test_patch_renames_and_refuses_duplicates(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    await make_dataset(http, caller, "a")
    await make_dataset(http, caller, "b")
    r = await http.patch("/api/v1/datasets/a", json={"name": "b"}, headers=caller.headers)
    assert r.status_code == 409
    r = await http.patch(
        "/api/v1/datasets/a/",
        json={"name": "c", "summary": "Handbook", "tags": "hr, policy"},
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "c" and r.json()["tags"] == ["hr", "policy"]
    assert (await http.get("/api/v1/datasets/a", headers=caller.headers)).status_code == 404
    r = await http.delete("/api/v1/datasets/c", headers=caller.headers)
    assert r.status_code == 200 and r.json()["id"]
    assert (await http.get("/api/v1/datasets/c", headers=caller.headers)).status_code == 404


async def test_bad_input_names_the_field(http: httpx.AsyncClient, caller: Caller) -> None:
    cases = [
        ({"name": "x", "dtype": "nope", "configuration": {}}, "dtype"),
        (
            {"name": "x", "dtype": "local_file", "configuration": {"chunk_size": 1}},
            "configuration.chunk_size",
        ),
        (
            {"name": "x", "dtype": "local_file", "configuration": {"bogus": 1}},
            "configuration.bogus",
        ),
        (
            {"name": "x", "dtype": "local_file", "configuration": {"embedding_model": "ghost"}},
            "configuration.embedding_model",
        ),
        (
            {"name": "x", "dtype": "local_file", "configuration": {"folder": "/etc"}},
            "configuration.folder",
        ),
    ]
    for body, param in cases:
        r = await http.post("/api/v1/datasets/", json=body, headers=caller.headers)
        assert r.status_code == 422, (body, r.text)
        assert param in r.text, (param, r.text)
    r = await http.post(
        "/api/v1/datasets/", json={"name": "types", "dtype": "local_file"}, headers=caller.headers
    )
    assert r.status_code == 422
    r = await http.post(
        "/api/v1/datasets/",
        json={"name": "x", "dtype": "local_file", "id": "1"},
        headers=caller.headers,
    )
    assert r.status_code == 422


async def test_entitled_embedding_model_is_accepted(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    made = await make_dataset(http, caller, "vec", embedding_model=EMBED)
    assert made["configuration"]["embedding_model"] == EMBED


async def test_types_list_their_configuration_schema(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    for path in ("/api/v1/datasets/types/", "/api/v1/datasets/types"):
        r = await http.get(path, headers=caller.headers)
        assert r.status_code == 200, r.text
        (local,) = [t for t in r.json() if t["name"] == "local_file"]
        props = local["config_schema"]["properties"]
        assert {"connection_override", "embedding_model", "chunk_size", "folder"} <= set(props)


async def test_space_is_required(http: httpx.AsyncClient, caller: Caller) -> None:
    r = await http.get("/api/v1/datasets/", headers=caller.org.headers)
    assert r.status_code == 400 and r.json()["code"] == "space_required"


async def test_changes_are_audited(http: httpx.AsyncClient, caller: Caller) -> None:
    await make_dataset(http, caller, "audited")
    r = await http.get("/v1/audit-logs", params={"resource": "dataset"}, headers=caller.org.headers)
    assert r.status_code == 200, r.text
    assert any(e.get("action") == "create" for e in r.json()["data"]), r.text
