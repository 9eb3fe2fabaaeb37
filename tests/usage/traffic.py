"""Gateway calls through a ``World`` (a live Spacegate in front of the fake provider), and waiting
for the metering batch that logs them."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from tests.gateway.conftest import World

MSG = [{"role": "user", "content": "one two three"}]


async def chat(
    w: World, alias: str, *, space_id: str | None = None, key: str | None = None, **extra: Any
) -> httpx.Response:
    headers = {**w.headers, **(extra.pop("headers", None) or {})}
    if space_id:
        headers["X-Space-Id"] = space_id
    if key:
        headers["Authorization"] = f"Bearer {key}"
    return await w.api.post(
        "/v1/chat/completions", json={"model": alias, "messages": MSG, **extra}, headers=headers
    )


async def wait_for_logs(w: World, n: int) -> list[dict[str, Any]]:
    """Metering writes in batches just after the calls: poll the log API until all ``n`` are in."""
    deadline = time.monotonic() + 30
    data: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        r = await w.api.get("/v1/inference-logs", params={"page_size": 100}, headers=w.org.headers)
        data = r.json()["data"]
        if len(data) >= n:
            break
        await asyncio.sleep(0.05)
    return data
