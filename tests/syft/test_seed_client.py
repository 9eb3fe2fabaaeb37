"""Seed 003's Python client example, unchanged, against a live server: its shape (Bearer token,
JSON bodies, trailing-slash collection paths) carried over to models, endpoints and queries."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from spacegate.config import Settings
from tests.factories import make_key, make_space
from tests.live import LiveServer
from tests.syft.conftest import Caller


class SyftSpaceClient:  # verbatim from the seed page
    def __init__(self, base_url: str, token: str):
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def create_dataset(self, name: str, dtype: str, config: dict):  # type: ignore[no-untyped-def, type-arg]
        response = requests.post(  # noqa: S113  (the seed's code, as written)
            f"{self.base_url}/api/v1/datasets/",
            json={"name": name, "dtype": dtype, "configuration": config},
            headers=self.headers,
        )
        response.raise_for_status()
        return response.json()


class EndpointsClient(SyftSpaceClient):
    """The same client, one method per resource of this area, written the seed's way."""

    def create_model(self, name: str, dtype: str, config: dict[str, Any]) -> Any:
        response = requests.post(
            f"{self.base_url}/api/v1/models/",
            json={"name": name, "dtype": dtype, "configuration": config},
            headers=self.headers,
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def create_endpoint(self, **fields: Any) -> Any:
        response = requests.post(
            f"{self.base_url}/api/v1/endpoints/", json=fields, headers=self.headers, timeout=30
        )
        response.raise_for_status()
        return response.json()

    def list_endpoints(self, skip: int = 0, limit: int = 50) -> Any:
        response = requests.get(
            f"{self.base_url}/api/v1/endpoints/?skip={skip}&limit={limit}",
            headers=self.headers,
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def query(self, slug: str, messages: str) -> Any:
        response = requests.post(
            f"{self.base_url}/api/v1/endpoints/{slug}/query",
            json={"messages": messages},
            headers=self.headers,
            timeout=30,
        )
        response.raise_for_status()
        return response.json()


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(settings.model_copy(update={"allow_private_networks": True})) as server:
        yield server


async def test_seed_client(caller: Caller, live: LiveServer) -> None:
    space = await make_space(caller.http, caller.org, "seed-client")
    token, _ = await make_key(caller.http, caller.org, space_id=space["id"])
    client = EndpointsClient(base_url=live.url, token=token)

    # Registering a model changes the org's registry, which a key bound to a space may not:
    # the org's admin registers it, the space's key views it by its tenant_model_id.
    caller.space_id = str(space["id"])
    registered = await caller.model("upstream")
    with pytest.raises(requests.HTTPError) as refused:
        await asyncio.to_thread(
            client.create_model, "assistant", "openai", {"api_key": "sk-seed-1"}
        )
    assert refused.value.response is not None
    assert refused.value.response.status_code == 403

    def run() -> None:
        response = requests.post(
            f"{client.base_url}/api/v1/models/",
            json={"name": "assistant", "tenant_model_id": registered["tenant_model_id"]},
            headers=client.headers,
            timeout=30,
        )
        assert response.status_code == 201, response.text
        model = response.json()
        client.create_endpoint(
            name="Docs",
            slug="my-docs",
            model_id=model["id"],
            response_type="summary",
            published=True,
        )
        page = client.list_endpoints()
        assert (page["total"], page["skip"], page["limit"]) == (1, 0, 50)
        answer = client.query("my-docs", "What is Spacegate?")
        assert answer["summary"]["message"]["content"] == "Echo: What is Spacegate?"
        if any(getattr(r, "path", "") == "/api/v1/datasets/" for r in live.app.routes):
            dataset = client.create_dataset(
                name="my-docs", dtype="local_file", config={"connection_override": None}
            )
            assert dataset["name"] == "my-docs"
        with pytest.raises(requests.HTTPError) as refused:
            client.query("missing", "x")
        missing = refused.value.response
        assert missing is not None and missing.status_code == 404
        assert missing.json()["detail"] == "Endpoint 'missing' not found"

    await asyncio.to_thread(run)
