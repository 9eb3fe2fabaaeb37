"""A fake provider on loopback for the whole session, and a shared client like the gateway's."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import orjson
import pytest

from spacegate.gateway.providers import Protocol, ProviderStream, Timeouts, Upstream
from tests.fakes.provider import FakeProvider

KEY = "sk-proj-Zq8XvT3bLm9KpR2wYc7NfH4dJs6GaE1u"


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeProvider]:
    with FakeProvider(first_byte_delay=1.0, drip_delay=0.05, drip_pieces=40) as fake:
        yield fake


@pytest.fixture
def fake(fake_server: FakeProvider) -> FakeProvider:
    fake_server.clear()
    return fake_server


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    # Redirect following is on in this client on purpose: adapters must refuse it per request.
    async with httpx.AsyncClient(follow_redirects=True) as client:
        yield client


def upstream(
    fake: FakeProvider,
    protocol: Protocol,
    model: str = "fake-model",
    *,
    key: str | None = KEY,
    timeouts: Timeouts | None = None,
    **kw: Any,
) -> Upstream:
    base = f"{fake.url}/v1" if protocol == "openai" else fake.url
    return Upstream(
        protocol,
        base,
        key,
        model,
        timeouts=timeouts or Timeouts(connect=2, read=10, total=30),
        **kw,
    )


async def drain(stream: ProviderStream) -> list[Any]:
    """The stream's events as parsed JSON (``"[DONE]"`` kept as the string)."""
    raw = b"".join([chunk async for chunk in stream])
    events: list[Any] = []
    for block in raw.split(b"\n\n"):
        if not block.strip():
            continue
        assert block.startswith(b"data: "), block
        data = block[6:]
        events.append("[DONE]" if data == b"[DONE]" else orjson.loads(data))
    return events


def text_of(events: list[Any]) -> str:
    return "".join(
        choice["delta"].get("content") or ""
        for event in events
        if isinstance(event, dict)
        for choice in event.get("choices", [])
    )
