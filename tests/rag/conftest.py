"""A space with an embedding model on the fake provider, and the app in the tests' own loop
(so its job runner and the fake provider on loopback serve the tests' requests)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import OrgCtx, make_org, make_space
from tests.fakes.provider import FakeProvider
from tests.jobs.hold import jobs_held

EMBED = "embedder"
OTHER = "other-embedder"


@pytest.fixture(autouse=True)
async def _only_this_apps_runner(local_app: FastAPI) -> AsyncIterator[None]:
    """The suite's other apps share the database but may not reach the fake provider on
    loopback: only this app's runner takes the ingestion jobs here."""
    async with jobs_held(keep=local_app.state.jobs):
        yield


@dataclass
class Caller:
    org: OrgCtx
    space_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {**self.org.headers, "X-Space-Id": self.space_id}


@pytest.fixture
async def caller(local_app: FastAPI, http: httpx.AsyncClient, fake: FakeProvider) -> Caller:
    fake.embedder = None
    fake.clear()
    org = await make_org(local_app.state.runtime)
    space = await make_space(http, org, "rag")
    r = await http.post(
        "/v1/providers",
        json={"name": "fake", "type": "openai", "base_url": f"{fake.url}/v1", "api_key": "sk-x"},
        headers=org.headers,
    )
    assert r.status_code == 201, r.text
    provider_id = r.json()["id"]
    for alias in (EMBED, OTHER):
        r = await http.post(
            "/v1/tenant-models",
            json={
                "alias": alias,
                "provider_id": provider_id,
                "upstream_model": "text-embedding-fake",
                "capabilities": ["embeddings"],
            },
            headers=org.headers,
        )
        assert r.status_code == 201, r.text
        r = await http.post(
            f"/v1/spaces/{space['id']}/models",
            json={"tenant_model_id": r.json()["tenant_model_id"]},
            headers={**org.headers, "Idempotency-Key": uuid.uuid4().hex},
        )
        assert r.status_code == 201, r.text
    return Caller(org, str(space["id"]))


async def make_dataset(
    http: httpx.AsyncClient, caller: Caller, name: str = "docs", **configuration: Any
) -> dict[str, Any]:
    r = await http.post(
        "/api/v1/datasets/",
        json={"name": name, "dtype": "local_file", "configuration": configuration},
        headers=caller.headers,
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def upload(
    http: httpx.AsyncClient, caller: Caller, dataset: str, filename: str, data: bytes
) -> httpx.Response:
    return await http.post(
        f"/api/v1/datasets/{dataset}/documents",
        files={"file": (filename, data)},
        headers=caller.headers,
    )


async def settled(
    http: httpx.AsyncClient, caller: Caller, dataset_id: str, seconds: float = 20.0
) -> dict[str, Any]:
    """The dataset's ingestion status once no job of it is queued or running."""
    body: dict[str, Any] = {}
    for _ in range(int(seconds / 0.05)):
        r = await http.get(
            f"/api/v1/ingestion/datasets/{dataset_id}/status", headers=caller.headers
        )
        assert r.status_code == 200, r.text
        body = r.json()
        if body["status"] != "indexing":
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"ingestion did not settle: {body}")
