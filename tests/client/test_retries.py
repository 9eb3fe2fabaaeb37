"""Retrying through a lossy network: the work is done once, whatever the client saw."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from spacegate.client import (
    APIConnectionError,
    AsyncSpacegate,
    InternalServerError,
    RetryPolicy,
    Spacegate,
)
from tests.client.proxy import Proxy
from tests.factories import OrgCtx
from tests.live import LiveServer

FAST = RetryPolicy(backoff=0.01, max_backoff=0.05)


@pytest.fixture
def proxy(server: LiveServer) -> Iterator[Proxy]:
    with Proxy(server.port) as p:
        yield p


def _canned(status: int, reason: str, retry_after: str) -> bytes:
    body = b'{"detail":"try later","code":"busy"}'
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
        f"Retry-After: {retry_after}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def test_a_post_whose_answer_was_lost_is_replayed_not_done_twice(
    proxy: Proxy, owner: OrgCtx, sg: Spacegate
) -> None:
    with Spacegate(proxy.url, owner.key, retry=FAST) as lossy:
        proxy.drop_next()
        space = lossy.spaces.create(name="once", description="")
    assert proxy.dropped == 1
    # The server created the space on the first attempt; the retry got that answer back.
    assert b"idempotent-replayed: true" in proxy.forwarded[-1].lower()
    assert [(s.id, s.name) for s in sg.spaces.list()] == [(space.id, "once")]


async def test_the_async_client_replays_too(proxy: Proxy, owner: OrgCtx, sg: Spacegate) -> None:
    async with AsyncSpacegate(proxy.url, owner.key, retry=FAST) as lossy:
        proxy.drop_next()
        key = await lossy.api_keys.create(name="once")
        assert [k.name async for k in lossy.api_keys.list()].count("once") == 1
    assert proxy.dropped == 1
    assert b"idempotent-replayed: true" in proxy.forwarded[-2].lower()
    assert key.key.startswith("sg_")
    assert [k.id for k in sg.api_keys.list()].count(key.id) == 1


def test_a_given_idempotency_key_makes_a_repeated_call_a_replay(sg: Spacegate) -> None:
    first = sg.spaces.create(name="k", description="", idempotency_key="create-k-once")
    again = sg.spaces.create(name="k", description="", idempotency_key="create-k-once")
    assert again.id == first.id
    assert [s.id for s in sg.spaces.list()] == [first.id]


def test_503_and_429_are_retried_after_the_servers_retry_after(
    proxy: Proxy, owner: OrgCtx, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="spacegate.client")
    proxy.answer_next(_canned(503, "Service Unavailable", "0"))
    proxy.answer_next(_canned(429, "Too Many Requests", "0.01"))
    with Spacegate(proxy.url, owner.key, retry=FAST) as sg:
        assert str(sg.users.me().id) == owner.user_id
    assert proxy.canned_sent == 2
    waits = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert "in 0.00s after HTTP 503" in waits[0] and "in 0.01s after HTTP 429" in waits[1]


def test_retries_stop_and_the_last_error_is_raised(proxy: Proxy, owner: OrgCtx) -> None:
    for _ in range(3):
        proxy.answer_next(_canned(503, "Service Unavailable", "0"))
    with (
        Spacegate(proxy.url, owner.key, retry=RetryPolicy(max_retries=2)) as sg,
        pytest.raises(InternalServerError) as exc,
    ):
        sg.users.me()
    assert exc.value.status_code == 503 and exc.value.code == "busy"
    assert proxy.canned_sent == 3


def test_no_server_is_a_connection_error(owner: OrgCtx, proxy: Proxy) -> None:
    proxy.close()
    with Spacegate(proxy.url, owner.key, retry=FAST) as sg, pytest.raises(APIConnectionError):
        sg.spaces.get("01a2022d-7d28-7229-8eb5-ee70b247ff5e")
