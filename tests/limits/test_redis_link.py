"""The Redis backend's own connection (``limits.link``): replies read in order as they arrive,
a script cache that Redis lost is refilled without failing a call, a connection Redis closes is
replaced, and a stream that makes no sense is dropped rather than misread."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import InvalidResponse, ResponseError

from spacegate.limits.backends import Admission, RateItem, Settlement
from spacegate.limits.gcra import Rate
from spacegate.limits.link import Link
from spacegate.limits.shared import RedisBackend
from spacegate.limits.wire import BATCH_SHA
from tests.limits.stall import StallableRelay
from tests.servers import require_service


@pytest.fixture
async def backend(redis: Redis, prefix: str) -> AsyncIterator[RedisBackend]:
    backend = RedisBackend(redis, prefix)
    yield backend
    await backend.flush()


def _call(backend: RedisBackend) -> Admission:
    return Admission(rates=[RateItem(f"{backend.prefix}:{{o}}:r", Rate(10, 3600), 1)])


async def _client_id(redis: Redis, backend: RedisBackend) -> int:
    """The id Redis gives the backend's connection (found by its address)."""
    assert backend._link is not None
    host, port = backend._link.transport.get_extra_info("sockname")[:2]
    for client in await redis.client_list():
        if client["addr"] == f"{host}:{port}":
            return int(client["id"])
    raise AssertionError("the backend's connection is not among Redis's clients")


async def test_a_lost_script_cache_is_refilled_and_the_call_decided(
    redis: Redis, backend: RedisBackend
) -> None:
    """Redis restarted or ``SCRIPT FLUSH``: the script is loaded again on the same connection
    and what bounced is sent again; the caller only sees its answer."""
    assert (await backend.admit(_call(backend))).rates[0].remaining == 9
    await redis.script_flush()
    assert await redis.script_exists(BATCH_SHA.decode()) == [False]
    calls = await asyncio.gather(*(backend.admit(_call(backend)) for _ in range(3)))
    assert sorted(c.rates[0].remaining for c in calls) == [6, 7, 8]
    assert await redis.script_exists(BATCH_SHA.decode()) == [True]


async def test_a_connection_redis_closes_is_replaced_and_state_is_kept(
    redis: Redis, backend: RedisBackend
) -> None:
    assert (await backend.admit(_call(backend))).allowed
    first = await _client_id(redis, backend)
    await redis.client_kill_filter(_id=str(first))
    for _ in range(100):  # the close reaches this process
        if backend._link is None:
            break
        await asyncio.sleep(0.01)
    assert backend._link is None
    outcome = await backend.admit(_call(backend))
    assert outcome.allowed and outcome.rates[0].remaining == 8
    assert await _client_id(redis, backend) != first


async def test_a_call_in_flight_when_the_connection_breaks_fails_and_the_next_succeeds(
    redis: Redis,
) -> None:
    """Redis restarts with a check on its way: the call waiting for it fails at once with a
    connection error (the caller falls back; no waiting out the timeout), and the next call
    reconnects."""
    relay = await StallableRelay(require_service("SPACEGATE_TEST_REDIS_URL", "Redis")).start()
    client = Redis.from_url(relay.url)
    backend = RedisBackend(client, f"t{uuid.uuid4().hex[:12]}", timeout_s=30)
    try:
        assert (await backend.admit(_call(backend))).allowed
        relay.stall()
        check = asyncio.ensure_future(backend.admit(_call(backend)))
        await asyncio.sleep(0.05)
        relay.cut()
        with pytest.raises((ConnectionError, RedisConnectionError)):
            await asyncio.wait_for(check, 5)
        relay.resume()
        outcome = await backend.admit(_call(backend))
        assert outcome.allowed and outcome.rates[0].remaining == 8  # the lost check took nothing
    finally:
        await backend.flush()
        await client.aclose()
        await relay.stop()
        keys = await redis.keys(f"{backend.prefix}:*")
        if keys:
            await redis.delete(*keys)


class _Sink:
    def __init__(self) -> None:
        self.got: list[Any] = []
        self.broken: list[BaseException] = []
        self.arrived = asyncio.Event()

    def replies(self, link: Link, replies: list[Any]) -> None:
        self.got += replies
        self.arrived.set()

    def lost(self, link: Link, exc: BaseException) -> None:
        self.broken.append(exc)
        self.arrived.set()


@pytest.fixture
async def wire_pair() -> AsyncIterator[tuple[_Sink, Link, socket.socket]]:
    """A ``Link`` on one end of a socket pair; the test writes Redis's side on the other."""
    ours, theirs = socket.socketpair()
    sink = _Sink()
    loop = asyncio.get_running_loop()
    _, link = await loop.create_connection(lambda: Link(sink, None), sock=ours)
    yield sink, link, theirs
    link.close()
    theirs.close()


async def test_replies_split_anywhere_arrive_whole_and_in_order(
    wire_pair: tuple[_Sink, Link, socket.socket],
) -> None:
    sink, _, theirs = wire_pair
    stream = b"$5\r\nok 9 \r\n-ERR no such thing\r\n$0\r\n\r\n:7\r\n"
    for i in range(len(stream)):
        theirs.send(stream[i : i + 1])
        await asyncio.sleep(0)
    while len(sink.got) < 4:
        sink.arrived.clear()
        await asyncio.wait_for(sink.arrived.wait(), 5)
    assert sink.got[0] == b"ok 9 " and sink.got[2:] == [b"", 7]
    assert isinstance(sink.got[1], ResponseError) and str(sink.got[1]) == "ERR no such thing"
    assert not sink.broken


async def test_pushed_messages_are_not_taken_for_replies(
    wire_pair: tuple[_Sink, Link, socket.socket],
) -> None:
    """RESP3: a notification Redis pushes between replies (client-side caching, maintenance)
    answers nothing that was sent."""
    sink, _, theirs = wire_pair
    theirs.send(b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n$2\r\nok\r\n")
    await asyncio.wait_for(sink.arrived.wait(), 5)
    assert sink.got == [b"ok"]


async def test_a_stream_out_of_step_breaks_the_link(
    wire_pair: tuple[_Sink, Link, socket.socket],
) -> None:
    sink, link, theirs = wire_pair
    theirs.send(b"$2\r\nok\r\n?what\r\n")
    while not sink.broken:
        sink.arrived.clear()
        await asyncio.wait_for(sink.arrived.wait(), 5)
    assert sink.got == [b"ok"]
    assert isinstance(sink.broken[0], InvalidResponse)
    assert link.transport.is_closing()


async def test_a_redis_that_refuses_connections_fails_calls_at_once(redis: Redis) -> None:
    """Nothing listens: the check fails with a connection error well before the timeout, and a
    settlement queued with it is reported lost (the reservation stands)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again on leaving: a port nothing listens on
    client = Redis(host="127.0.0.1", port=port, retry=Retry(NoBackoff(), 0))  # as the runtime's
    backend = RedisBackend(client, "t", timeout_s=30)
    lost: list[str] = []
    backend.on_failure = lambda what, exc: lost.append(what)
    try:
        backend.settle_later(Settlement(rates=[("t:{o}:r", Rate(10, 60), 1)]))
        with pytest.raises((ConnectionError, RedisConnectionError)):
            await asyncio.wait_for(backend.admit(_call(backend)), 5)
        assert lost == ["settle"]
        assert backend._link is None
    finally:
        await backend.flush()
        await client.aclose()
