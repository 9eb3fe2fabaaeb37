"""The Redis backend's own connection: opened by redis-py, then read here, reply by reply.

redis-py opens it, so it is set up exactly as the client's URL says (address or socket, TLS,
``AUTH``, ``SELECT``, ``HELLO``). Reading through redis-py, each reply is awaited through its
stream layers (stream reader, parser, response reader); at one pipeline per Redis round trip,
that is most of what a round trip cost this process. So, once the connection is set up, its
transport is handed to ``Link``, a protocol that feeds what arrives straight to a ``hiredis``
reader and hands every complete reply to its ``Sink``, in the order Redis sent them: no task and
no await per reply.

Pushed messages (RESP3 notifications) are not replies to anything sent, and are skipped.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import hiredis
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import InvalidResponse, ResponseError

_MORE = object()  # the reader's answer when no complete reply is buffered
_PUSH: type = getattr(hiredis, "PushNotification", type(None))


class Sink(Protocol):
    def replies(self, link: Link, replies: list[Any]) -> None:
        """Replies as they arrive, in order (an error reply as a ``ResponseError``)."""

    def lost(self, link: Link, exc: BaseException) -> None:
        """The connection broke (not called after ``close``)."""


class Link(asyncio.Protocol):
    transport: asyncio.Transport

    def __init__(self, sink: Sink, stream: object = None) -> None:
        self.sink = sink
        #: redis-py's stream writer of this transport, kept so that it is not collected (and
        #: warned about) while the transport is open.
        self._stream = stream
        self._reader = hiredis.Reader(
            protocolError=InvalidResponse, replyError=ResponseError, notEnoughData=_MORE
        )
        self.closed = False

    def write(self, data: bytes) -> None:
        self.transport.write(data)

    def close(self) -> None:
        """Let the connection go (what is buffered is still written); the sink hears nothing
        more from it."""
        self.closed = True
        self.transport.close()

    def abort(self) -> None:
        """Drop the connection at once, unread replies and all."""
        self.closed = True
        self.transport.abort()

    # -- asyncio.Protocol -----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        reader = self._reader
        reader.feed(data)
        replies = []
        try:
            reply = reader.gets()
            while reply is not _MORE:
                if type(reply) is not _PUSH:
                    replies.append(reply)
                reply = reader.gets()
        except InvalidResponse as exc:  # the stream is out of step: nothing after is readable
            if replies and not self.closed:
                self.sink.replies(self, replies)
            self._broken(exc)
            return
        if replies and not self.closed:
            self.sink.replies(self, replies)

    def eof_received(self) -> bool:
        return False  # the transport closes itself; ``connection_lost`` follows

    def connection_lost(self, exc: Exception | None) -> None:
        self._broken(exc or RedisConnectionError("Redis closed the connection"))

    def _broken(self, exc: BaseException) -> None:
        if self.closed:
            return
        self.abort()
        self.sink.lost(self, exc)


async def open_link(redis: Redis, sink: Sink) -> Link:
    """A new connection of ``redis``'s pool, set up by redis-py and read by a ``Link``. It is
    not the pool's: whoever opens it closes it."""
    pool = redis.connection_pool
    conn = pool.connection_class(**pool.connection_kwargs)
    await conn.connect()  # type: ignore[no-untyped-call]
    # redis-py's reader and writer of the connection (private: redis is pinned to one major).
    stream_reader, stream_writer = conn._reader, conn._writer
    if stream_reader is None or stream_writer is None:  # pragma: no cover  (connect sets both)
        raise RedisConnectionError("Redis connection was not set up")
    conn._reader = conn._writer = None  # the connection object lets go: the link owns it now
    transport = stream_writer.transport
    link = Link(sink, stream_writer)
    transport.set_protocol(link)
    link.connection_made(transport)
    left = bytes(getattr(stream_reader, "_buffer", b""))
    if left:  # pragma: no cover  (Redis sends nothing unasked after the handshake)
        link.data_received(left)
    return link
