"""A space with a Syft model on the fake provider, and the app in the tests' own event loop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import OrgCtx, make_org, make_space
from tests.fakes.provider import FakeProvider


@dataclass
class Caller:
    org: OrgCtx
    space_id: str
    http: httpx.AsyncClient
    fake: FakeProvider

    @property
    def headers(self) -> dict[str, str]:
        return {**self.org.headers, "X-Space-Id": self.space_id}

    async def post(self, path: str, body: dict[str, Any], **kw: Any) -> httpx.Response:
        return await self.http.post(path, json=body, headers=kw.pop("headers", self.headers), **kw)

    async def model(self, name: str = "chat", **config: Any) -> dict[str, Any]:
        r = await self.post(
            "/api/v1/models/",
            {
                "name": name,
                "dtype": "openai",
                "configuration": {
                    "api_key": "sk-test-123456789",
                    "base_url": f"{self.fake.url}/v1",
                    "model": "fake-model",
                    **config,
                },
            },
        )
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body

    async def endpoint(self, slug: str, **fields: Any) -> dict[str, Any]:
        r = await self.post("/api/v1/endpoints/", {"name": slug.title(), "slug": slug, **fields})
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body


@pytest.fixture
async def caller(local_app: FastAPI, http: httpx.AsyncClient, fake: FakeProvider) -> Caller:
    fake.responder = None
    fake.clear()
    org = await make_org(local_app.state.runtime)
    space = await make_space(http, org, "syft")
    return Caller(org, str(space["id"]), http, fake)
