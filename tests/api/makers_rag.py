"""RAG datasets (seed 003) for the cross-org matrices: a dataset with one ingested document."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING

import httpx

from spacegate.runtime import Runtime
from tests.api.makers import body, created, maker, space_headers

if TYPE_CHECKING:
    from tests.api.isolation import OrgObjects

_DATASET = "handbook"


@maker("name")
async def _dataset(client: httpx.AsyncClient, _rt: Runtime, o: OrgObjects) -> str:
    r = await client.post(
        "/api/v1/datasets/",
        json={"name": _DATASET, "dtype": "local_file", "configuration": {}},
        headers=space_headers(o),
    )
    o.extra["/api/v1/ingestion/datasets/{id}"] = await created(r)
    return _DATASET


@maker("/api/v1/ingestion/datasets/{id}")
async def _dataset_id(_client: httpx.AsyncClient, _rt: Runtime, o: OrgObjects) -> str:
    return o.extra["/api/v1/ingestion/datasets/{id}"]


@maker("document_id")
async def _document(client: httpx.AsyncClient, _rt: Runtime, o: OrgObjects) -> str:
    r = await client.post(
        f"/api/v1/datasets/{_DATASET}/documents",
        files={"file": ("leave.md", b"# Leave\nStaff take 25 days of paid leave a year.")},
        headers=space_headers(o),
    )
    made = await created(r)
    # Its ingestion runs in the background: let it finish, so no row moves under a matrix.
    status = f"/api/v1/ingestion/datasets/{o.extra['/api/v1/ingestion/datasets/{id}']}/status"
    for _ in range(400):
        r = await client.get(status, headers=space_headers(o))
        if r.json()["status"] != "indexing":
            break
        await asyncio.sleep(0.05)
    assert r.json()["status"] == "ready", r.text
    return made


def _new_dataset(o: OrgObjects) -> dict[str, object]:
    return {"name": f"ds-{uuid.uuid4().hex[:8]}", "dtype": "local_file", "configuration": {}}


for _path in ("/api/v1/datasets/", "/api/v1/datasets"):
    body(f"POST {_path}", _new_dataset)
for _path in ("/api/v1/datasets/{name}", "/api/v1/datasets/{name}/"):
    body(f"PATCH {_path}", lambda o: {"summary": "Staff handbook"})
for _path in ("/api/v1/datasets/{name}/search", "/api/v1/datasets/{name}/search/"):
    body(f"POST {_path}", lambda o: {"query": "paid leave", "limit": 3})
