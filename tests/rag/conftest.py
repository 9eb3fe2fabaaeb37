"""A space with an embedding model on the fake provider, and the app in the tests' own loop
(so its job runner and the fake provider on loopback serve the tests' requests)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import Caller, space_with_models
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


@pytest.fixture
async def caller(local_app: FastAPI, http: httpx.AsyncClient, fake: FakeProvider) -> Caller:
    fake.embedder = None
    fake.clear()
    model: dict[str, object] = {
        "upstream_model": "text-embedding-fake",
        "capabilities": ["embeddings"],
    }
    runtime = local_app.state.runtime
    models = {EMBED: model, OTHER: model}
    return await space_with_models(http, runtime, f"{fake.url}/v1", "rag", models)


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
