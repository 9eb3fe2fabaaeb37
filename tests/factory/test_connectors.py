"""Connectors against a real S3-compatible server on loopback: files, scans, and the errors a
user meets (wrong credentials, a missing bucket), a listing past one S3 page, SSRF refusals."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import httpx
import pytest

from tests.factory.conftest import Bucket, credit_csv

pytestmark = pytest.mark.usefixtures("private_networks")


async def _connector(
    client: httpx.AsyncClient, space: dict[str, str], b: Bucket, **over: Any
) -> dict[str, Any]:
    r = await client.post(
        "/v1/connectors",
        json={"name": "lake", "type": "aws-s3", "s3": b.s3(**over)},
        headers=space,
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def wait_job(client: httpx.AsyncClient, h: dict[str, str], job_id: str) -> dict[str, Any]:
    """The job once it has finished (the app's runner runs it)."""
    for _ in range(600):
        job: dict[str, Any] = (await client.get(f"/v1/jobs/{job_id}", headers=h)).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")


async def test_credentials_are_write_only(
    client: httpx.AsyncClient, space: dict[str, str], bucket: Bucket
) -> None:
    made = await _connector(client, space, bucket, secret_access_key="s3cr3t-value-xyz")
    assert {"id", "name", "provider", "region", "status", "created_by", "created_at"} <= set(made)
    assert made["provider"] == "aws-s3"
    assert made["status"] == "active"
    for r in (
        await client.get(f"/v1/connectors/{made['id']}", headers=space),
        await client.get("/v1/connectors", headers=space),
    ):
        assert "s3cr3t-value-xyz" not in r.text
        assert "secret_access_key" not in r.text


async def test_files_lists_real_objects_by_prefix(
    client: httpx.AsyncClient, space: dict[str, str], bucket: Bucket
) -> None:
    bucket.put("train/a.csv", b"x,y\n1,0\n")
    bucket.put("train/b.csv", b"x,y\n2,1\n")
    bucket.put("test/c.csv", b"x,y\n3,1\n")
    c = await _connector(client, space, bucket)
    r = await client.get(f"/v1/connectors/{c['id']}/files?prefix=train/", headers=space)
    assert r.status_code == 200, r.text
    assert [f["key"] for f in r.json()] == ["train/a.csv", "train/b.csv"]
    assert r.json()[0]["size"] == len(b"x,y\n1,0\n")
    r = await client.get(f"/v1/connectors/{c['id']}/files?limit=1", headers=space)
    assert [f["key"] for f in r.json()] == ["test/c.csv"]


async def test_a_listing_longer_than_one_s3_page(
    client: httpx.AsyncClient, space: dict[str, str], bucket: Bucket
) -> None:
    keys = [f"many/{i:05d}.csv" for i in range(1205)]
    await asyncio.gather(*(asyncio.to_thread(bucket.put, k, b"a\n1\n") for k in keys))
    c = await _connector(client, space, bucket)
    r = await client.get(f"/v1/connectors/{c['id']}/files?limit=5000", headers=space)
    assert r.status_code == 200
    assert [f["key"] for f in r.json()] == keys
    r = await client.get(f"/v1/connectors/{c['id']}/files?limit=1100", headers=space)
    assert [f["key"] for f in r.json()] == keys[:1100]


async def test_wrong_credentials_and_a_missing_bucket_are_named(
    client: httpx.AsyncClient, space: dict[str, str], bucket: Bucket, s3_server: str
) -> None:
    # moto accepts any key unless told to check them: it does for this test.
    async with httpx.AsyncClient() as admin:
        await admin.post(f"{s3_server}/moto-api/reset-auth", content=b"0")
    try:
        c = await _connector(client, space, bucket, access_key_id="AKIAWRONG")
        r = await client.get(f"/v1/connectors/{c['id']}/files", headers=space)
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "connector_access_denied"
    finally:
        async with httpx.AsyncClient() as admin:
            await admin.post(f"{s3_server}/moto-api/reset-auth", content=b"inf")
    c = await _connector(client, space, bucket, bucket="no-such-bucket-here")
    r = await client.get(f"/v1/connectors/{c['id']}/files", headers=space)
    assert r.status_code == 422
    assert r.json()["code"] == "bucket_not_found"
    assert "no-such-bucket-here" in r.json()["detail"]


async def test_scan_detects_csv_and_parquet_schemas(
    client: httpx.AsyncClient, space: dict[str, str], bucket: Bucket
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    bucket.put("credit.csv", credit_csv(50))
    buf = io.BytesIO()
    pq.write_table(
        pa.table({"id": [1, 2, 3], "score": [0.5, None, 0.1], "ok": [True, False, True]}), buf
    )
    bucket.put("scores.parquet", buf.getvalue())
    bucket.put("notes.txt", b"\x00\x01 not a table")
    c = await _connector(client, space, bucket)
    r = await client.post(
        f"/v1/connectors/{c['id']}/scan",
        json={"files": ["credit.csv", "scores.parquet", "missing.csv"]},
        headers=space,
    )
    assert r.status_code == 202, r.text
    job = await wait_job(client, space, r.json()["id"])
    assert job["status"] == "succeeded", job
    got = (await client.get(f"/v1/connectors/{c['id']}", headers=space)).json()
    scan = got["scan"]
    csv = scan["files"]["credit.csv"]
    assert csv["format"] == "csv"
    assert csv["row_count"] == 50
    assert [(col["name"], col["type"]) for col in csv["columns"]] == [
        ("income", "float"),
        ("debt", "float"),
        ("age", "integer"),
        ("segment", "string"),
        ("default", "integer"),
    ]
    assert len(csv["sample"]) == 5
    parquet = scan["files"]["scores.parquet"]
    assert parquet["row_count"] == 3
    assert {col["name"]: (col["type"], col["nullable"]) for col in parquet["columns"]} == {
        "id": ("integer", False),
        "score": ("float", True),
        "ok": ("boolean", False),
    }
    assert "missing.csv" in scan["errors"]
    assert got["status"] == "error"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254",
        "http://127.1:9000",
        "http://[::ffff:10.0.0.1]",
        "file:///etc/passwd",
        "http://user:pw@example.com",
    ],
)
async def test_endpoint_url_follows_the_ssrf_policy(
    client: httpx.AsyncClient, space: dict[str, str], bucket: Bucket, runtime: Any, url: str
) -> None:
    runtime.settings.allow_private_networks = False
    try:
        r = await client.post(
            "/v1/connectors",
            json={"name": "x", "type": "aws-s3", "s3": bucket.s3(endpoint_url=url)},
            headers=space,
        )
    finally:
        runtime.settings.allow_private_networks = True
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "endpoint_url_not_allowed"
    assert r.json()["detail"].startswith("s3.endpoint_url")
