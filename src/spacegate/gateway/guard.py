"""SSRF defence at connect time: every upstream connection goes to an address checked just now.

Base URLs are checked when a connection is registered, but a host name can later resolve somewhere
else (DNS rebinding). This network backend resolves the host itself, refuses private, loopback,
link-local and metadata addresses (unless the operator allowed private networks), and connects to
the address it checked, so what was checked is what is reached. TLS still verifies the host name.
"""

from __future__ import annotations

import ipaddress
import logging
import typing

import httpcore
import httpx

from spacegate.kit.ssrf import system_resolver, why_blocked

log = logging.getLogger(__name__)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109  (httpcore's interface)
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            answers = await system_resolver(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        for answer in answers:
            reason = why_blocked(ipaddress.ip_address(answer.split("%")[0]))
            if reason is not None:
                log.warning("refused upstream connection to %s (%s): %s", host, answer, reason)
                raise httpcore.ConnectError(f"{host} resolves to {reason}; refused")
        if not answers:
            raise httpcore.ConnectError(f"cannot resolve {host}")
        return await self._inner.connect_tcp(
            answers[0],
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109  (httpcore's interface)
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not upstreams")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_transport(**kwargs: typing.Any) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose connections all pass through ``GuardedBackend``."""
    transport = httpx.AsyncHTTPTransport(**kwargs)
    pool = transport._pool
    if not hasattr(pool, "_network_backend"):  # pragma: no cover - a future httpcore
        raise RuntimeError("this httpcore version does not allow a custom network backend")
    pool._network_backend = GuardedBackend()
    return transport
