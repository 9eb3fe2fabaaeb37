"""``Idempotency-Key`` across real processes: many identical POSTs racing over one or two server
processes, and a server killed (``kill -9``) at each step of a request, then restarted, with the
client retrying the same key. Either way the client ends with exactly one object.

Each crash point is reached without guessing at timings: the process is frozen before it reads
the request; or the database holds the request's work back (a table lock on PostgreSQL, the write
lock on SQLite) while the test sees the claim committed; or a relay kills the server when the
first byte of its answer arrives, which the unit of work only sends after its commit.
"""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
import pytest
from sqlalchemy import func, select, text
from starlette.requests import Request

from spacegate.config import Settings
from spacegate.models import InferenceLog
from spacegate.runtime import Runtime
from tests.factories import OrgCtx, make_org
from tests.fakes.provider import FakeProvider
from tests.guarantees.harness import Server, server
from tests.guarantees.proxy import FaultProxy
from tests.guarantees.report import record
from tests.guarantees.state import claim_state, database, space_count, spaces_named

STEPS = ["before-claim", "after-claim", "after-commit", "after-response"]


def _headers(org: OrgCtx, key: str) -> dict[str, str]:
    return {**org.headers, "Idempotency-Key": key}


async def test_fifty_concurrent_identical_posts_make_one_object(
    settings: Settings, runtime: Runtime, tmp_path: Path
) -> None:
    """One process on SQLite; two processes sharing one PostgreSQL."""
    count = 1 if settings.is_sqlite else 2
    org = await make_org(runtime)
    body = {"name": "raced", "description": "fifty at once"}
    servers = [Server(settings, tmp_path / str(n)) for n in range(count)]
    for n, s in enumerate(servers):
        (tmp_path / str(n)).mkdir()
        s.start()
    try:
        clients = [httpx.AsyncClient(base_url=s.url, timeout=30) for s in servers]
        results = await asyncio.gather(
            *(
                clients[n % count].post("/v1/spaces", json=body, headers=_headers(org, "fifty"))
                for n in range(50)
            )
        )
        # A client told 409 retries after Retry-After and is then answered with the stored 201.
        retried = [
            await clients[0].post("/v1/spaces", json=body, headers=_headers(org, "fifty"))
            for r in results
            if r.status_code == 409
        ]
        for c in clients:
            await c.aclose()
    finally:
        for s in servers:
            s.stop()
    statuses = [r.status_code for r in results]
    server_errors = sum(1 for s in statuses if s >= 500) + sum(s.errors_logged() for s in servers)
    objects = await space_count(runtime, org.org_id)
    record(
        "idempotency",
        database=database(settings),
        cases=1,
        requests=50,
        objects=objects,
        duplicates=max(0, objects - 1),
        server_errors=server_errors,
        processes=count,
    )
    assert set(statuses) <= {201, 409}, statuses
    for r in results:
        if r.status_code == 409:
            assert r.json()["code"] == "idempotency_key_in_use" and r.headers["retry-after"]
    winners = [r for r in results if r.status_code == 201]
    assert sum(1 for r in winners if "idempotent-replayed" not in r.headers) == 1
    assert all(r.status_code == 201 for r in retried)
    assert len({r.content for r in [*winners, *retried]}) == 1
    assert objects == 1
    assert server_errors == 0


# -- a server killed at each step of one request ---------------------------------------------


def _raw_post(org: OrgCtx, key: str, body: dict[str, str]) -> bytes:
    payload = orjson.dumps(body)
    head = (
        "POST /v1/spaces HTTP/1.1\r\nHost: spacegate\r\n"
        f"Authorization: Bearer {org.key}\r\nIdempotency-Key: {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + payload


async def _kill_before_claim(srv: Server, org: OrgCtx, key: str, body: dict[str, str]) -> None:
    srv.freeze()
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
        # Accepted into the frozen process's backlog, bytes in its receive buffer, never read.
        sock.sendall(_raw_post(org, key, body))
        srv.kill()


async def _lock_spaces(runtime: Runtime, settings: Settings) -> tuple[object, object]:
    """Hold back any insert into ``spaces`` while reads and other tables go on (PostgreSQL)."""
    conn = await runtime.engine.connect()
    tx = await conn.begin()
    await conn.execute(text("LOCK TABLE spaces IN EXCLUSIVE MODE"))
    return conn, tx


async def _pg_waiting_on_spaces(runtime: Runtime) -> bool:
    async with runtime.engine.connect() as conn:
        n = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = 'spaces' AND NOT l.granted AND l.database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        )
    return bool(n)


async def _kill_after_claim(
    srv: Server, runtime: Runtime, settings: Settings, org: OrgCtx, key: str, body: dict[str, str]
) -> bool:
    """Kill while the claim is committed and the work is not; False if the work won the race
    to the SQLite write lock (the caller then tries again with a new key)."""
    async with httpx.AsyncClient(base_url=srv.url, timeout=60) as http:
        if not settings.is_sqlite:
            conn, tx = await _lock_spaces(runtime, settings)
            sent = asyncio.create_task(
                http.post("/v1/spaces", json=body, headers=_headers(org, key))
            )
            try:
                while True:
                    claimed = await claim_state(runtime, org.org_id, key) == "claimed"
                    if claimed and await _pg_waiting_on_spaces(runtime):
                        break
                    await asyncio.sleep(0.01)
                srv.kill()
            finally:
                await tx.rollback()  # type: ignore[attr-defined]
                await conn.close()  # type: ignore[attr-defined]
            await asyncio.gather(sent, return_exceptions=True)
            return True
        sent = asyncio.create_task(http.post("/v1/spaces", json=body, headers=_headers(org, key)))
        while not sent.done():
            if await claim_state(runtime, org.org_id, key) != "absent":
                break
            await asyncio.sleep(0)
        # Take SQLite's write lock: from here the work cannot commit, so what we see is final.
        async with runtime.write_sessions() as s, s.begin():
            await s.execute(text("SELECT 1"))
            held = not await spaces_named(runtime, org.org_id, body["name"])
            if held:
                srv.kill()
        await asyncio.gather(sent, return_exceptions=True)
        if not held:
            srv.kill()
        return held


async def _kill_after_commit(srv: Server, org: OrgCtx, key: str, body: dict[str, str]) -> None:
    def answer(_first: bytes) -> bool:
        srv.kill()  # the server committed: the unit of work sends nothing before its commit
        return False

    with FaultProxy(srv.port) as relay:
        relay.on_reply = answer
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{relay.port}") as http:
            with pytest.raises(httpx.TransportError):
                await http.post("/v1/spaces", json=body, headers=_headers(org, key), timeout=30)


async def _retry_until_answered(
    srv: Server, org: OrgCtx, key: str, body: dict[str, str]
) -> httpx.Response:
    """What a client does: retry with the same key, honouring 409 + Retry-After."""
    deadline = time.monotonic() + 120
    async with httpx.AsyncClient(base_url=srv.url, timeout=30) as http:
        while True:
            r = await http.post("/v1/spaces", json=body, headers=_headers(org, key))
            if r.status_code != 409 or time.monotonic() > deadline:
                return r
            await asyncio.sleep(float(r.headers.get("retry-after", "1")))


@pytest.mark.slow_guarantee
@pytest.mark.parametrize("step", STEPS)
async def test_kill_at_each_step_then_retry_makes_exactly_one_object(
    settings: Settings, runtime: Runtime, tmp_path: Path, step: str
) -> None:
    org = await make_org(runtime)
    # A claim left by a dead process is taken over after this window.
    with server(settings, tmp_path, IDEMPOTENCY_LOCK_SECONDS="1") as srv:
        for _attempt in range(30):
            key = f"crash-{uuid.uuid4().hex}"
            body = {"name": f"crash-{step}-{uuid.uuid4().hex[:8]}", "description": step}
            if step == "before-claim":
                await _kill_before_claim(srv, org, key, body)
                assert await claim_state(runtime, org.org_id, key) == "absent"
            elif step == "after-claim":
                if not await _kill_after_claim(srv, runtime, settings, org, key, body):
                    srv.start()
                    continue
                assert await claim_state(runtime, org.org_id, key) == "claimed"
                assert await spaces_named(runtime, org.org_id, body["name"]) == []
            elif step == "after-commit":
                await _kill_after_commit(srv, org, key, body)
                assert await claim_state(runtime, org.org_id, key) == "stored"
            else:
                first = await _retry_until_answered(srv, org, key, body)
                assert first.status_code == 201
                srv.kill()
            break
        else:
            pytest.fail(f"never caught the server at {step}")
        srv.start()
        r = await _retry_until_answered(srv, org, key, body)
        ids = await spaces_named(runtime, org.org_id, body["name"])
        replayed = r.headers.get("idempotent-replayed") == "true"
        record(
            "crash",
            database=database(settings),
            cases=1,
            kills=srv.kills,
            objects=len(ids),
            duplicates=max(0, len(ids) - 1),
            server_errors=int(r.status_code >= 500) + srv.errors_logged(),
            outcome=f"kill {step}: {len(ids)} object, retry {r.status_code}"
            + (" replayed" if replayed else ""),
        )
        assert r.status_code == 201, r.text
        assert ids == [r.json()["id"]]
        # The work committed before the kill is answered from the stored response.
        assert replayed == (step in ("after-commit", "after-response"))
        assert srv.errors_logged() == 0


# -- a gateway call killed mid-way -----------------------------------------------------------


@dataclass
class Tripwire(FakeProvider):
    """The fake provider, calling ``on_request`` (once) when a call reaches it."""

    on_request: Callable[[], None] | None = None

    async def _record(self, request: Request) -> bytes:
        body = await super()._record(request)
        hook, self.on_request = self.on_request, None
        if hook is not None:
            hook()
        return body


def _gateway_world(srv: Server, org: OrgCtx, fake: FakeProvider) -> dict[str, str]:
    with httpx.Client(base_url=srv.url, headers=org.headers, timeout=30) as http:
        space = http.post("/v1/spaces", json={"name": "gw", "description": ""}).json()["id"]
        provider = http.post(
            "/v1/providers",
            json={
                "name": "fake",
                "type": "openai",
                "base_url": f"{fake.url}/v1",
                "api_key": "sk-1",
            },
        ).json()["id"]
        model = http.post(
            "/v1/tenant-models",
            json={"alias": "crashy", "provider_id": provider, "upstream_model": "fake-model"},
        ).json()["tenant_model_id"]
        r = http.post(
            f"/api-proxy/v1/spaces/{space}/models",
            json={"tenant_model_id": model},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        assert r.status_code == 201, r.text
    return {**org.headers, "X-Space-Id": space}


async def _metered(runtime: Runtime, org: OrgCtx) -> int:
    async with runtime.read_sessions() as s:
        n = await s.scalar(
            select(func.count())
            .select_from(InferenceLog)
            .where(InferenceLog.org_id == uuid.UUID(org.org_id))
        )
    return int(n or 0)


@pytest.mark.slow_guarantee
@pytest.mark.parametrize("step", ["during-provider-call", "after-answer-sent"])
async def test_gateway_call_killed_then_retried_is_metered_once_each(
    settings: Settings, runtime: Runtime, tmp_path: Path, step: str
) -> None:
    """A retried call (without ``Idempotency-Key``) is a new call. Every call that reached the
    provider is metered exactly once: the one the server died in from its crash journal, at its
    reservation (``usage_estimated``), when the server starts again."""
    org = await make_org(runtime)
    chat = {"model": "crashy", "messages": [{"role": "user", "content": "hello"}]}
    fake = Tripwire()

    def kill_on_reply(_first: bytes) -> bool:
        srv.kill()
        return False

    with fake, server(settings, tmp_path, ALLOW_PRIVATE_NETWORKS="true") as srv:
        headers = _gateway_world(srv, org, fake)
        if step == "during-provider-call":
            fake.on_request = srv.kill
            target = srv.url
            relay = None
        else:
            relay = FaultProxy(srv.port).start()
            relay.on_reply = kill_on_reply
            target = f"http://127.0.0.1:{relay.port}"
        try:
            async with httpx.AsyncClient(base_url=target, timeout=30) as http:
                with pytest.raises(httpx.TransportError):
                    await http.post("/v1/chat/completions", json=chat, headers=headers)
        finally:
            if relay is not None:
                relay.stop()
        srv.start()
        async with httpx.AsyncClient(base_url=srv.url, timeout=30) as http:
            retry = await http.post("/v1/chat/completions", json=chat, headers=headers)
        srv.stop()  # a clean stop flushes the meter
        errors_logged = srv.errors_logged()
    upstream = sum(1 for r in fake.requests if r.path.endswith("/chat/completions"))
    metered = await _metered(runtime, org)
    record(
        "crash",
        database=database(settings),
        cases=1,
        kills=1,
        server_errors=errors_logged,
        duplicates=max(0, metered - upstream),
        outcome=f"gateway kill {step}: {upstream} upstream calls, {metered} metered",
    )
    assert retry.status_code == 200, retry.text
    assert upstream == 2
    assert metered == upstream
    assert errors_logged == 0
    async with runtime.read_sessions() as s:
        estimated = await s.scalar(
            select(func.count())
            .select_from(InferenceLog)
            .where(InferenceLog.org_id == uuid.UUID(org.org_id), InferenceLog.usage_estimated)
        )
    assert estimated == 1  # the killed call, settled at its reservation
