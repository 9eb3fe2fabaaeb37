"""The HTTP/1.1 transport under the gateway's httpx client: keep-alive connections to providers,
parsed with httptools on plain asyncio protocols.

httpx's default stack (httpcore over anyio) costs about a millisecond of CPU per request on a small
machine, more than everything else a gateway call does put together. The provider adapters keep
using httpx's client, requests, responses and exceptions; only the bytes-on-the-wire layer is
replaced by this one, which writes each request with one ``write`` and hands body chunks to the
reader as the event loop receives them.

Every new connection goes to an address resolved and checked just before connecting (see
``kit.ssrf``), so a provider host name that starts resolving to a private address is refused even
though its base URL passed the check when it was registered. TLS still verifies the host name.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast

import httptools
import httpx

from spacegate.gateway import proxy as proxies
from spacegate.gateway.proxy import Proxy, ProxyPolicy
from spacegate.kit.ssrf import system_resolver, why_blocked

#: ``(host, port) -> addresses to connect to``; raises ``httpx.ConnectError`` to refuse.
Resolve = Callable[[str, int], Awaitable[list[str]]]

#: Pause reading from a provider once this much body is waiting for the gateway to forward it.
_HIGH_WATER = 256 * 1024
_LOW_WATER = 64 * 1024
_DEFAULT_PORTS = {b"http": 80, b"https": 443}
#: Pool key: scheme, host, port, and the proxy the connection goes through (None: direct).
Origin = tuple[bytes, str, int, Proxy | None]


class Refused(httpx.ConnectError):
    """The target resolves to an address the gateway may not reach."""


def checked_resolver(*, allow_private: bool) -> Resolve:
    """Resolve a provider host and refuse addresses it may not reach."""

    async def resolve(host: str, port: int) -> list[str]:
        try:
            answers = await system_resolver(host, port)
        except OSError as exc:
            raise httpx.ConnectError(f"cannot resolve {host}: {exc}") from None
        if not answers:
            raise httpx.ConnectError(f"cannot resolve {host}")
        if not allow_private:
            for answer in answers:
                reason = why_blocked(ipaddress.ip_address(answer.split("%")[0]))
                if reason is not None:
                    raise Refused(f"{host} resolves to {reason}; refused")
        return answers

    return resolve


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection; carries one exchange at a time."""

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = 0.0
        self._parser = httptools.HttpResponseParser(self)
        self._wake: asyncio.Future[None] | None = None
        self._headers: list[tuple[bytes, bytes]] = []
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._paused = False
        self._error: Exception | None = None
        self.status = 0
        self.headers_done = False
        self.complete = False
        self.received_any = False
        self.keep_alive = False

    # -- asyncio.Protocol ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.received_any = True
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(httpx.RemoteProtocolError("The upstream tried to switch protocols."))
        except httptools.HttpParserError as exc:
            self._fail(httpx.RemoteProtocolError(f"Malformed upstream response: {exc}"))
        self._notify()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.complete and self._error is None:
            if self.headers_done and self._until_close():
                self.complete = True  # a body delimited by the end of the connection
            elif self.received_any or self.headers_done:
                self._error = httpx.RemoteProtocolError("The upstream closed the connection early.")
            else:
                self._error = httpx.RemoteProtocolError(
                    "Server disconnected without sending a response."
                )
        self._notify()

    # -- httptools callbacks -------------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.status = self._parser.get_status_code()
        if self.status < 200:  # 1xx interim answers (100 Continue): wait for the real one
            self._headers = []
            return
        self.headers_done = True
        # Only meaningful while the parser is on this message, so read it now.
        self.keep_alive = self._parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        self._chunks.append(body)
        self._buffered += len(body)
        if self._buffered > _HIGH_WATER and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()

    def on_message_complete(self) -> None:
        if self.headers_done:
            self.complete = True

    # -- used by the transport -----------------------------------------------------------------

    def _until_close(self) -> bool:
        names = {k.lower() for k, _ in self._headers}
        return b"content-length" not in names and b"transfer-encoding" not in names

    def _fail(self, exc: Exception) -> None:
        if self._error is None:
            self._error = exc
        self.close()

    def _notify(self) -> None:
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)

    async def _wait(self, wait_s: float | None) -> None:
        """Until the protocol has news; a timer is only armed when there is something to wait
        for, which is cheaper than an ``asyncio.timeout`` block around every read."""
        loop = asyncio.get_running_loop()
        self._wake = wake = loop.create_future()
        timer = None if wait_s is None else loop.call_later(wait_s, _expire, wake)
        try:
            await wake
        finally:
            if timer is not None:
                timer.cancel()

    def start(self, head_and_body: bytes) -> None:
        self._headers = []
        self._chunks.clear()
        self._buffered = 0
        self.status = 0
        self.headers_done = self.complete = self.received_any = self.keep_alive = False
        if self.closed or self.transport is None:
            self._error = httpx.RemoteProtocolError(
                "Server disconnected without sending a response."
            )
            return
        self.transport.write(head_and_body)

    async def response_head(self, wait_s: float | None) -> tuple[int, list[tuple[bytes, bytes]]]:
        while not self.headers_done:
            if self._error is not None:
                raise self._error
            await self._wait(wait_s)
        return self.status, self._headers

    async def next_chunk(self, wait_s: float | None) -> bytes | None:
        """The next piece of body, or None at its end."""
        while not self._chunks:
            if self._error is not None:
                raise self._error
            if self.complete:
                return None
            await self._wait(wait_s)
        chunk = self._chunks.popleft()
        self._buffered -= len(chunk)
        if self._paused and self._buffered < _LOW_WATER and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        return chunk

    @property
    def reusable(self) -> bool:
        return (
            self.complete
            and not self.closed
            and self._error is None
            and not self._chunks
            and self.keep_alive
        )

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


def _expire(wake: asyncio.Future[None]) -> None:
    if not wake.done():
        wake.set_exception(TimeoutError())


class _Body(httpx.AsyncByteStream):
    def __init__(self, pool: UpstreamTransport, conn: _Connection, read_timeout: float | None):
        self._pool = pool
        self._conn = conn
        self._read_timeout = read_timeout
        self._released = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            try:
                chunk = await self._conn.next_chunk(self._read_timeout)
            except TimeoutError:
                self._conn.close()
                raise httpx.ReadTimeout("The upstream stopped sending.") from None
            if chunk is None:
                return
            yield chunk

    async def aclose(self) -> None:
        if not self._released:
            self._released = True
            self._pool.release(self._conn)


class UpstreamTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        *,
        resolve: Resolve,
        max_idle_per_origin: int = 256,
        keepalive_expiry: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
        proxies: ProxyPolicy | None = None,
    ) -> None:
        self._resolve = resolve
        self._proxies = proxies or ProxyPolicy({})
        self._max_idle = max_idle_per_origin
        self._expiry = keepalive_expiry
        self._ssl = ssl_context
        self._idle: dict[Origin, list[_Connection]] = {}
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme = url.raw_scheme
        if scheme not in _DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"Unsupported URL scheme {url.scheme!r}.")
        host = url.host
        via = self._proxies.select(scheme, host, request.extensions.get(proxies.EXTENSION))
        origin = (scheme, host, url.port or _DEFAULT_PORTS[scheme], via)
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        payload = _encode(request, await request.aread(), via if scheme == b"http" else None)
        conn = self._checkout(origin) or await self._connect(origin, timeouts.get("connect"))
        try:
            conn.start(payload)
            status, headers = await conn.response_head(timeouts.get("read"))
        except TimeoutError:
            conn.close()
            raise httpx.ReadTimeout("The upstream did not answer in time.") from None
        except BaseException:
            conn.close()  # cancelled or broken mid-exchange: the connection's state is unknown
            raise
        return httpx.Response(
            status,
            headers=headers,
            stream=_Body(self, conn, timeouts.get("read")),
            extensions={"http_version": b"HTTP/1.1"},
        )

    def _checkout(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            conn = idle.pop()
            if not conn.closed and now - conn.idle_since < self._expiry:
                return conn
            conn.close()
        return None

    async def _connect(self, origin: Origin, connect_s: float | None) -> _Connection:
        scheme, host, port, via = origin
        loop = asyncio.get_running_loop()
        tls: ssl.SSLContext | None = None
        if scheme == b"https":
            tls = self._ssl or httpx.create_ssl_context()
            self._ssl = tls
        try:
            async with asyncio.timeout(connect_s):
                if via is not None:
                    return await self._connect_via(via, origin, tls)
                addresses = await self._resolve(host, port)
                error: OSError | None = None
                for address in addresses:
                    try:
                        _, conn = await loop.create_connection(
                            lambda: _Connection(origin),
                            address,
                            port,
                            ssl=tls,
                            server_hostname=host if tls else None,
                        )
                        return conn
                    except OSError as exc:
                        error = exc
                raise httpx.ConnectError(f"Could not connect to {host}:{port}: {error}")
        except TimeoutError:
            raise httpx.ConnectTimeout(f"Connecting to {host}:{port} timed out.") from None

    async def _connect_via(
        self, via: Proxy, origin: Origin, tls: ssl.SSLContext | None
    ) -> _Connection:
        _, host, port, _ = origin
        try:
            await self._resolve(host, port)  # the SSRF policy applies to the target
        except Refused:
            raise
        except httpx.ConnectError:
            pass  # a name only the proxy's side resolves: the proxy decides
        conn = await proxies.connect(via, host, port, tls, lambda: _Connection(origin))
        assert isinstance(conn, _Connection)
        return conn

    def release(self, conn: _Connection) -> None:
        if self._closed or not conn.reusable:
            conn.close()
            return
        idle = self._idle.setdefault(conn.origin, [])
        if len(idle) >= self._max_idle:
            conn.close()
            return
        conn.idle_since = time.monotonic()
        idle.append(conn)

    async def aclose(self) -> None:
        self._closed = True
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()


class UpstreamClient(httpx.AsyncClient):
    """httpx's client minus what a gateway never wants between itself and a provider.

    ``send`` goes straight to the transport: no cookie jar (a cookie one tenant's call received
    must not ride along on another tenant's call), no auth flow and no redirect following (a
    provider's redirect is an error, see ``providers.transport``). Building requests and reading
    responses stay httpx's own.
    """

    def _merge_headers(self, headers: Any = None) -> Any:
        """The client's headers, overridden by the request's: what httpx does, in one pass
        instead of a scan of every header per header."""
        if not headers:
            return self.headers
        extra = headers.raw if isinstance(headers, httpx.Headers) else httpx.Headers(headers).raw
        names = {name.lower() for name, _ in extra}
        return [*(item for item in self.headers.raw if item[0].lower() not in names), *extra]

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: Any = httpx.USE_CLIENT_DEFAULT,
        follow_redirects: Any = httpx.USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        if follow_redirects is True or auth not in (httpx.USE_CLIENT_DEFAULT, None):
            return await super().send(
                request, stream=stream, auth=auth, follow_redirects=follow_redirects
            )
        response = await self._transport.handle_async_request(request)
        response.request = request
        if not stream:
            try:
                await response.aread()
            finally:
                await response.aclose()
        return response


def _encode(request: httpx.Request, body: bytes, forward: Proxy | None = None) -> bytes:
    """Request line, headers and body as one buffer, so the request leaves in one write.

    ``forward``: the plain-HTTP proxy the request is sent to, in absolute form."""
    target = request.url.raw_path
    if forward is not None:
        url = request.url
        target = b"%s://%s%s" % (url.raw_scheme, url.netloc, target)
    parts: list[bytes] = [request.method.encode(), b" ", target, b" HTTP/1.1\r\n"]
    if forward is not None and forward.authorization:
        parts += (b"Proxy-Authorization: ", forward.authorization, b"\r\n")
    for name, value in request.headers.raw:
        if b"\r" in value or b"\n" in value or b"\r" in name or b"\n" in name or b":" in name:
            raise httpx.LocalProtocolError(f"Illegal header {name!r}.")
        parts += (name, b": ", value, b"\r\n")
    parts.append(b"\r\n")
    parts.append(body)
    return b"".join(parts)


__all__ = ["Resolve", "UpstreamClient", "UpstreamTransport", "checked_resolver"]
