"""A space with models on the fake provider, and the app in the tests' own event loop."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import OrgCtx, make_org, make_space
from tests.fakes.provider import FakeProvider

#: alias -> (upstream model, context window)
MODELS = {
    "chatty": ("fake-model", None),
    "small": ("fake-model", 400),
    "slowguard": ("fake-model+slow-first-byte", None),
    "tooly": ("fake-model+tool-call", None),
}


@dataclass
class Caller:
    org: OrgCtx
    space_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {**self.org.headers, "X-Space-Id": self.space_id}


@pytest.fixture
async def caller(local_app: FastAPI, http: httpx.AsyncClient, fake: FakeProvider) -> Caller:
    fake.responder = None
    fake.clear()
    org = await make_org(local_app.state.runtime)
    space = await make_space(http, org, "copilot")
    r = await http.post(
        "/v1/providers",
        json={"name": "fake", "type": "openai", "base_url": f"{fake.url}/v1", "api_key": "sk-x"},
        headers=org.headers,
    )
    assert r.status_code == 201, r.text
    provider_id = r.json()["id"]
    for alias, (upstream, context) in MODELS.items():
        body: dict[str, Any] = {
            "alias": alias,
            "provider_id": provider_id,
            "upstream_model": upstream,
            "capabilities": ["chat"],
        }
        if context:
            body["context_window"] = context
        r = await http.post("/v1/tenant-models", json=body, headers=org.headers)
        assert r.status_code == 201, r.text
        r = await http.post(
            f"/v1/spaces/{space['id']}/models",
            json={"tenant_model_id": r.json()["tenant_model_id"]},
            headers={**org.headers, "Idempotency-Key": uuid.uuid4().hex},
        )
        assert r.status_code == 201, r.text
    return Caller(org, str(space["id"]))


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
