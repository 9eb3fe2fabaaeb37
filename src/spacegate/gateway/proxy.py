"""Egress through an HTTP forward proxy, for organisations that reach providers only that way.

Which proxy: a connection's ``config.proxy_url``, else ``HTTPS_PROXY`` / ``HTTP_PROXY`` (or
``ALL_PROXY``) by the target's scheme, unless ``NO_PROXY`` names the host (the environment is read
once, when the gateway starts). HTTPS targets are reached through a ``CONNECT`` tunnel, with TLS
to the provider inside it (the provider's certificate is verified as on a direct connection);
HTTP targets are sent to the proxy in absolute form.

The SSRF policy still applies to the target: before a proxied connection the target is resolved
here and refused if it reaches an internal address; a name that only the proxy's side can resolve
is left to the proxy. The proxy's own address is the operator's choice and is not checked.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import ssl
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

#: ``request.extensions`` key carrying a connection's ``config.proxy_url``.
EXTENSION = "spacegate.proxy_url"
_HEAD_LIMIT = 16 * 1024


@dataclass(frozen=True, slots=True)
class Proxy:
    host: str
    port: int
    #: ``Proxy-Authorization`` value, from credentials in the proxy URL (environment only).
    authorization: bytes | None = None

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"


@functools.lru_cache(maxsize=64)
def parse_proxy(url: str) -> Proxy:
    """An ``http://[user:pass@]host[:port]`` proxy; ``ValueError`` for anything else."""
    if "://" not in url:
        url = f"http://{url}"  # HTTPS_PROXY=proxy:3128 is common
    parts = urlsplit(url)
    if parts.scheme.lower() != "http":
        raise ValueError("only http:// proxies are supported (TLS to the provider is tunnelled)")
    if not parts.hostname:
        raise ValueError("the proxy URL has no host")
    auth = None
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        auth = b"Basic " + base64.b64encode(pair.encode())
    return Proxy(parts.hostname, parts.port or 80, auth)


class ProxyPolicy:
    """The proxy (or none) for each request; direct calls pay two dictionary look-ups."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        found = _environment_proxies(environ)
        self._no_proxy = found.get("no", "")
        fallback = found.get("all")
        self._by_scheme: dict[bytes, Proxy] = {}
        for scheme in ("http", "https"):
            value = found.get(scheme) or fallback
            if value:
                self._by_scheme[scheme.encode()] = parse_proxy(value)

    def select(self, scheme: bytes, host: str, override: Any) -> Proxy | None:
        if override:
            return parse_proxy(str(override))
        proxy = self._by_scheme.get(scheme)
        if proxy is None or self._bypassed(host):
            return None
        return proxy

    @functools.lru_cache(maxsize=1024)  # noqa: B019 - one policy per process, hosts are few
    def _bypassed(self, host: str) -> bool:
        if not self._no_proxy:
            return False
        bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
        return bool(bypass(host, {"no": self._no_proxy}))


def _environment_proxies(environ: Mapping[str, str] | None) -> dict[str, str]:
    if environ is None:
        return urllib.request.getproxies_environment()
    found: dict[str, str] = {}
    for name, value in environ.items():  # lower case wins, as in urllib
        if value and name.lower().endswith("_proxy"):
            key = name.lower()[: -len("_proxy")]
            if name.islower() or key not in found:
                found[key] = value
    return found


class _Handshake(asyncio.Protocol):
    """Reads the proxy's answer to ``CONNECT``; the connection then carries the tunnel."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.head: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._buffer = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if self.head.done():
            return
        if b"\r\n\r\n" in self._buffer:
            self.head.set_result(bytes(self._buffer))
        elif len(self._buffer) > _HEAD_LIMIT:
            self.head.set_exception(httpx.ProxyError("The proxy sent an oversized answer."))

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.head.done():
            self.head.set_exception(
                httpx.ProxyError("The proxy closed the connection before opening the tunnel.")
            )


async def connect(
    proxy: Proxy,
    host: str,
    port: int,
    tls: ssl.SSLContext | None,
    protocol: Callable[[], asyncio.Protocol],
) -> asyncio.Protocol:
    """A connection to ``host:port`` through ``proxy``: tunnelled (and TLS inside) for HTTPS,
    else a plain connection to the proxy for absolute-form requests."""
    loop = asyncio.get_running_loop()
    try:
        if tls is None:
            _, conn = await loop.create_connection(protocol, proxy.host, proxy.port)
            return conn
        raw, handshake = await loop.create_connection(_Handshake, proxy.host, proxy.port)
    except OSError as exc:
        raise httpx.ProxyError(f"Could not connect to the proxy {proxy.label}: {exc}") from None
    try:
        authority = f"{host}:{port}".encode()
        lines = [b"CONNECT " + authority + b" HTTP/1.1", b"Host: " + authority]
        if proxy.authorization:
            lines.append(b"Proxy-Authorization: " + proxy.authorization)
        raw.write(b"\r\n".join(lines) + b"\r\n\r\n")
        head = await handshake.head
        status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        fields = status_line.split(" ", 2)
        if len(fields) < 2 or not fields[1].startswith("2"):
            raise httpx.ProxyError(f"The proxy {proxy.label} refused the tunnel: {status_line}")
        conn = protocol()
        secure = await loop.start_tls(raw, conn, tls, server_hostname=host)
        if secure is None:
            raise httpx.ProxyError("The tunnel closed during the TLS handshake.")
        conn.connection_made(secure)
        return conn
    except OSError as exc:  # the provider's certificate, or the tunnel broke during TLS
        raw.close()
        raise httpx.ConnectError(
            f"Could not reach {host}:{port} through the proxy: {exc}"
        ) from None
    except BaseException:
        raw.close()
        raise


__all__ = ["EXTENSION", "Proxy", "ProxyPolicy", "connect", "parse_proxy"]
