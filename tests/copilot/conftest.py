"""A space with models on the fake provider, and the app in the tests' own event loop."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import Caller, space_with_models
from tests.fakes.provider import FakeProvider

#: alias -> (upstream model, context window)
MODELS = {
    "chatty": ("fake-model", None),
    "small": ("fake-model", 400),
    "slowguard": ("fake-model+slow-first-byte", None),
    "tooly": ("fake-model+tool-call", None),
}


@pytest.fixture
async def caller(local_app: FastAPI, http: httpx.AsyncClient, fake: FakeProvider) -> Caller:
    fake.responder = None
    fake.clear()
    models: dict[str, dict[str, object]] = {}
    for alias, (upstream, context) in MODELS.items():
        models[alias] = {"upstream_model": upstream, "capabilities": ["chat"]}
        if context:
            models[alias]["context_window"] = context
    runtime = local_app.state.runtime
    return await space_with_models(http, runtime, f"{fake.url}/v1", "copilot", models)


async def logs(
    http: httpx.AsyncClient, caller: Caller, n: int, **query: str
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for _ in range(200):  # the meter writes in batches, off the request path
        r = await http.get("/v1/inference-logs", params=query, headers=caller.org.headers)
        rows = r.json()["data"]
        if len(rows) >= n:
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError(f"expected {n} log rows, got {len(rows)}")
