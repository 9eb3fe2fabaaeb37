"""Data models and benchmarks: seed 004 shapes and pagination, our training fields."""

from __future__ import annotations

import httpx

from tests.factories import OrgCtx


async def test_data_model_crud_with_target_and_features(
    client: httpx.AsyncClient, space: dict[str, str]
) -> None:
    r = await client.post(
        "/v1/data-models",
        json={"name": "credit", "description": "risk", "target_column": "default"},
        headers=space,
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["task"] == "binary_classification"
    assert made["feature_columns"] == []
    r = await client.patch(
        f"/v1/data-models/{made['id']}",
        json={"feature_columns": ["income", "default"]},
        headers=space,
    )
    assert r.status_code == 422
    assert r.json()["code"] == "target_is_feature"
    r = await client.patch(
        f"/v1/data-models/{made['id']}", json={"feature_columns": ["income"]}, headers=space
    )
    assert r.status_code == 200
    assert r.json()["feature_columns"] == ["income"]
    r = await client.post("/v1/data-models", json={"name": "x", "task": "poetry"}, headers=space)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "task"]
    r = await client.delete(f"/v1/data-models/{made['id']}", headers=space)
    assert r.json() == {"id": made["id"]}


async def test_data_models_need_a_space(client: httpx.AsyncClient, org: OrgCtx) -> None:
    r = await client.get("/v1/data-models", headers=org.headers)
    assert r.status_code == 400
    assert r.json()["code"] == "space_required"


async def test_benchmarks_page_by_page_size_and_refuse_unknown_metrics(
    client: httpx.AsyncClient, space: dict[str, str], bucket: object, private_networks: None
) -> None:
    from tests.factory.conftest import Bucket

    assert isinstance(bucket, Bucket)
    r = await client.post(
        "/v1/connectors",
        json={"name": "c", "type": "aws-s3", "s3": bucket.s3()},
        headers=space,
    )
    assert r.status_code == 201, r.text
    connector = r.json()["id"]
    body = {
        "name": "b",
        "description": "d",
        "task": "binary_classification",
        "metrics": ["accuracy", "ks"],
        "connectors": [{"connector_id": connector, "files": ["test.csv"]}],
    }
    ids = []
    for i in range(3):
        r = await client.post("/v1/benchmarks", json={**body, "name": f"b{i}"}, headers=space)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    page = (await client.get("/v1/benchmarks?page_size=2&page=2", headers=space)).json()
    assert [b["id"] for b in page["data"]] == ids[2:]
    assert page["has_more"] is False
    first = (await client.get("/v1/benchmarks?page_size=2", headers=space)).json()
    assert first["count"] == 2 and first["has_more"] is True
    got = first["data"][0]
    assert set(got) >= {"connectors", "created_by", "metrics", "task", "updated_by"}

    r = await client.post(
        "/v1/benchmarks", json={**body, "metrics": ["accuracy", "vibes"]}, headers=space
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "metrics", 1]
    missing = "01890000-0000-7000-8000-000000000000"
    r = await client.post(
        "/v1/benchmarks",
        json={**body, "connectors": [{"connector_id": missing, "files": ["a.csv"]}]},
        headers=space,
    )
    assert r.status_code == 404
    assert r.json()["code"] == "connector_not_found"
