"""Connect-time SSRF defence: the gateway never reaches a private address unless allowed."""

from __future__ import annotations

import httpx
import pytest

from spacegate.gateway.guard import guarded_transport
from tests.fakes.provider import FakeProvider


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "169.254.169.254", "10.0.0.1"])
async def test_guarded_transport_refuses_private_addresses(host: str) -> None:
    async with httpx.AsyncClient(transport=guarded_transport()) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://{host}:9/v1/models")


async def test_canary_on_loopback_receives_nothing(fake_upstream: FakeProvider) -> None:
    fake_upstream.clear()
    async with httpx.AsyncClient(transport=guarded_transport()) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"{fake_upstream.url}/v1/models")
    assert fake_upstream.requests == []
    async with httpx.AsyncClient() as plain:  # the canary itself is alive
        assert (await plain.get(f"{fake_upstream.url}/v1/models")).status_code == 200
