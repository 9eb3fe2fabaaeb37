"""Faults a deployment meets: the database away for ten seconds, and providers that answer
garbage, too much, a redirect, or hang up. Every answer stays a clean error envelope (503 with
``Retry-After`` for the database, 502 for a provider), no stack trace ever reaches a client, and
the server recovers by itself, without a restart.

The shared PostgreSQL server is never touched: the server under test reaches it through a relay
that the test cuts (every connection reset, new ones refused) and restores. On SQLite the same
outage is another process holding the write lock past the busy timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from spacegate.config import Settings
from spacegate.db.engine import SQLITE_BUSY_TIMEOUT_MS
from spacegate.runtime import Runtime
from tests.factories import OrgCtx, make_org
from tests.fakes.provider import FakeProvider
from tests.gateway.conftest import PROVIDER_KEY, World
from tests.guarantees.harness import server
from tests.guarantees.proxy import FaultProxy
from tests.guarantees.report import record
from tests.guarantees.state import database, spaces_named

OUTAGE_S = 10.0


def _clean(r: httpx.Response) -> bool:
    body = r.content
    return (
        b"Traceback" not in body
        and not (b'File "' in body and b", line " in body)
        and b"sqlalchemy" not in body.lower()
        and b"asyncpg" not in body.lower()
    )


async def _probe(http: httpx.AsyncClient, org: OrgCtx, key: str) -> list[httpx.Response]:
    """A read, an idempotent create and the readiness probe."""
    body = {"name": f"during-{key}", "description": ""}
    return [
        await http.get("/v1/spaces", headers=org.headers),
        await http.post("/v1/spaces", json=body, headers={**org.headers, "Idempotency-Key": key}),
        await http.get("/readyz"),
    ]


@contextlib.asynccontextmanager
async def _sqlite_write_lock(runtime: Runtime) -> AsyncIterator[None]:
    async with runtime.write_sessions() as s, s.begin():
        await s.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the write lock is ours
        yield


@pytest.mark.slow_guarantee
async def test_database_away_for_ten_seconds_is_503_with_retry_after_then_recovers(
    settings: Settings, runtime: Runtime, tmp_path: Path
) -> None:
    org = await make_org(runtime)
    url = make_url(str(settings.database_url))
    relay = None
    if not settings.is_sqlite:
        relay = FaultProxy(url.port or 5432, url.host or "127.0.0.1").start()
        url = url.set(host="127.0.0.1", port=relay.port)
    during: list[httpx.Response] = []
    try:
        with server(
            settings, tmp_path, database_url=url.render_as_string(hide_password=False)
        ) as srv:
            async with httpx.AsyncClient(base_url=srv.url, timeout=60) as http:
                assert [r.status_code for r in await _probe(http, org, "before")] == [
                    200,
                    201,
                    200,
                ]
                if relay is not None:
                    relay.cut()
                    stop = time.monotonic() + OUTAGE_S
                    while time.monotonic() < stop:
                        during += await _probe(http, org, "outage")
                    relay.restore()
                else:
                    # Past the busy timeout a write gives up; reads go on (WAL).
                    async with _sqlite_write_lock(runtime):
                        r = await http.post(
                            "/v1/spaces",
                            json={"name": "during-outage", "description": ""},
                            headers={**org.headers, "Idempotency-Key": "outage"},
                        )
                        during.append(r)
                    assert SQLITE_BUSY_TIMEOUT_MS / 1000 < OUTAGE_S + 5
                # Recovery by itself: the same process, retried as a client would.
                deadline = time.monotonic() + 60
                after = await _probe(http, org, "outage")
                while [r.status_code for r in after] != [200, 201, 200]:
                    assert time.monotonic() < deadline, [r.text for r in after]
                    await asyncio.sleep(float(after[0].headers.get("retry-after", "1")) / 5)
                    after = await _probe(http, org, "outage")
            restarts = srv.starts - 1
            errors_logged = srv.errors_logged()
    finally:
        if relay is not None:
            relay.stop()
    statuses = sorted({r.status_code for r in during})
    unclean = [r for r in during if not _clean(r)]
    without_retry_after = [r for r in during if "retry-after" not in r.headers]
    objects = await spaces_named(runtime, org.org_id, "during-outage")
    case = "postgres unreachable 10 s" if relay is not None else "sqlite write-locked 10 s"
    record(
        "faults",
        database=database(settings),
        cases=1,
        requests=len(during),
        server_errors=sum(1 for r in during if r.status_code >= 500 and r.status_code != 503)
        + errors_logged,
        outcome=f"{case}: {'/'.join(map(str, statuses))} + Retry-After, "
        f"{'recovered by itself' if restarts == 0 else 'needed a restart'}",
    )
    assert during and statuses == [503], statuses
    assert unclean == [] and without_retry_after == []
    assert all(
        r.json()["code"] in ("database_unavailable", "service_unavailable")
        for r in during
        if r.headers.get("content-type") == "application/json" and "code" in r.json()
    )
    assert restarts == 0 and errors_logged == 0
    # The create refused during the outage, retried with its key afterwards: one space.
    assert len(objects) <= 1
    assert await spaces_named(runtime, org.org_id, "during-outage") != [] or settings.is_sqlite


# -- providers that misbehave, through the gateway ------------------------------------------


@contextlib.asynccontextmanager
async def _hangs_up(mode: str) -> AsyncIterator[str]:
    """An upstream on loopback that resets the connection, or cuts its body short."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            await reader.readuntil(b"\r\n\r\n")
            if mode == "truncated":
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b'Content-Length: 500\r\n\r\n{"id": "chatcmpl-1", "choi'
                )
                await writer.drain()
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{srv.sockets[0].getsockname()[1]}/v1"
    finally:
        srv.close()


BEHAVIOURS = ["garbage", "huge", "redirect", "500", "reset", "truncated"]


@pytest.mark.parametrize(
    ("behaviour", "stream"),
    [
        *((b, False) for b in BEHAVIOURS),
        *((b, True) for b in BEHAVIOURS),
    ],
)
async def test_misbehaving_provider_is_a_clean_error(
    world: World, settings: Settings, behaviour: str, stream: bool
) -> None:
    alias = f"fault-{behaviour}-{uuid.uuid4().hex[:6]}"
    async with contextlib.AsyncExitStack() as stack:
        if behaviour in ("reset", "truncated"):
            base = await stack.enter_async_context(_hangs_up(behaviour))
            provider = await world.provider(base_url=base)
            upstream = "m"
        else:
            provider, upstream = world.provider_id, f"m+{behaviour}"
        await world.model(alias, targets=[{"provider_id": provider, "upstream_model": upstream}])
        r = await _say_hi(world, alias, stream)
    body = r.content
    outcome = f"provider {behaviour}{' (stream)' if stream else ''}: {r.status_code}"
    if r.status_code == 200 and stream:
        outcome += " stream ending in an error event" if _ends_in_error(r) else " malformed stream"
    record(
        "faults",
        database=database(settings),
        cases=1,
        server_errors=int(r.status_code >= 500 and r.status_code not in (502, 503, 504)),
        outcome=outcome,
    )
    assert _clean(r)
    assert PROVIDER_KEY.encode() not in body and PROVIDER_KEY[-12:].encode() not in body
    assert len(body) < 10_000  # a huge upstream body is not relayed
    assert world.fake.redirect_hits == 0
    if r.status_code == 200 and stream:
        # Once a stream has started the status is sent: the failure is its last event.
        assert _ends_in_error(r), body[:500]
    else:
        assert r.status_code == 502, body[:500]
        error = r.json()["error"]
        assert error["message"] and error["type"], body[:500]


async def _say_hi(world: World, alias: str, stream: bool) -> httpx.Response:
    body = {"model": alias, "stream": stream, "messages": [{"role": "user", "content": "hi"}]}
    return await world.api.post("/v1/chat/completions", json=body, headers=world.headers)


def _ends_in_error(r: httpx.Response) -> bool:
    """An SSE body made only of ``data:`` JSON events, the last one an OpenAI error."""
    if not r.headers.get("content-type", "").startswith("text/event-stream"):
        return False
    events = [e for e in r.content.split(b"\n\n") if e.strip()]
    try:
        decoded = [orjson.loads(e.removeprefix(b"data: ")) for e in events]
    except orjson.JSONDecodeError:
        return False
    return (
        bool(decoded)
        and all(e.startswith(b"data: ") for e in events)
        and (isinstance(decoded[-1], dict) and "error" in decoded[-1])
    )


@pytest.mark.parametrize(
    ("behaviour", "stream"),
    [("slow-first-byte", False), ("slow-drip", False), ("slow-drip", True)],
)
async def test_a_provider_slower_than_its_timeout_is_a_clean_504(
    world: World, settings: Settings, behaviour: str, stream: bool
) -> None:
    """A connection's ``timeout_seconds`` bounds the whole exchange: an upstream that waits before
    answering, or drips its answer, past it gives 504 (or, once a stream has started, a stream
    ending in an error event), never a hung client."""
    with FakeProvider(first_byte_delay=3.0, drip_delay=0.5, drip_pieces=8) as slow:
        provider = await world.provider(base_url=f"{slow.url}/v1", config={"timeout_seconds": 1.0})
        alias = f"timeout-{uuid.uuid4().hex[:6]}"
        target = {"provider_id": provider, "upstream_model": f"m+{behaviour}"}
        await world.model(alias, targets=[target])
        r = await _say_hi(world, alias, stream)
    outcome = f"provider {behaviour}{' (stream)' if stream else ''} past a 1 s timeout: "
    outcome += f"{r.status_code}" + (" stream ending in an error event" if stream else "")
    record("faults", database=database(settings), cases=1, server_errors=0, outcome=outcome)
    assert _clean(r)
    if stream and r.status_code == 200:
        assert _ends_in_error(r) and b"in time" in r.content, r.content[:500]
    else:
        # Without the connection's timeout the fake would have answered 200 in a few seconds.
        assert r.status_code == 504, r.text
        assert r.json()["error"]["type"]
