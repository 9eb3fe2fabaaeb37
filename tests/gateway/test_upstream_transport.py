"""The gateway's upstream transport against scripted HTTP(S) servers on loopback: keep-alive reuse,
every way a response body can end, broken and silent servers, TLS, and the connect-time SSRF
check."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from spacegate.gateway.upstream import UpstreamClient, UpstreamTransport, checked_resolver

#: Writes the answer to one request (already read) and returns False to close the connection.
Script = Callable[[asyncio.StreamWriter, int], Awaitable[bool]]

OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'


@dataclass
class Server:
    port: int = 0
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return head + await reader.readexactly(length)


@contextlib.asynccontextmanager
async def scripted(script: Script) -> AsyncIterator[Server]:
    state = Server()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state.connections += 1
        try:
            while True:
                state.requests.append(await _read_request(reader))
                await writer.drain()
                if not await script(writer, len(state.requests)):
                    break
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    state.port = server.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        server.close()


def client(*, allow_private: bool = True, read: float = 5.0) -> httpx.AsyncClient:
    transport = UpstreamTransport(resolve=checked_resolver(allow_private=allow_private))
    return httpx.AsyncClient(
        transport=transport, timeout=httpx.Timeout(read, connect=2.0), follow_redirects=False
    )


async def test_sequential_requests_share_one_kept_alive_connection() -> None:
    async def ok(writer: asyncio.StreamWriter, _n: int) -> bool:
        writer.write(OK)
        return True

    async with scripted(ok) as server, client() as http:
        for _ in range(5):
            r = await http.post(f"{server.url}/v1/chat/completions", json={"a": 1})
            assert r.json() == {"ok": True}
    assert server.connections == 1
    assert len(server.requests) == 5
    first = server.requests[0]
    assert first.startswith(b"POST /v1/chat/completions HTTP/1.1\r\n")
    assert first.endswith(b'{"a":1}')


async def test_chunked_and_close_delimited_bodies_arrive_whole() -> None:
    async def answer(writer: asyncio.StreamWriter, n: int) -> bool:
        if n % 2:
            writer.write(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
            )
            return True
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end")
        return False

    async with scripted(answer) as server, client() as http:
        assert (await http.get(server.url)).content == b"hello world"
        assert (await http.get(server.url)).content == b"until the end"
        # The server closed after the second answer: the next request gets a new connection.
        assert (await http.get(server.url)).content == b"hello world"
    assert server.connections == 2


async def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    async def once(writer: asyncio.StreamWriter, _n: int) -> bool:
        writer.write(OK)
        return False  # answer, then hang up (like an idle keep-alive timeout)

    async with scripted(once) as server, client() as http:
        for _ in range(3):
            assert (await http.get(server.url)).status_code == 200
            await asyncio.sleep(0.05)  # let the hang-up arrive
    assert server.connections == 3


async def test_a_body_cut_short_is_an_error_not_a_short_answer() -> None:
    async def cut(writer: asyncio.StreamWriter, _n: int) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part")
        return False

    async with scripted(cut) as server, client() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(server.url)


async def test_a_server_that_hangs_up_without_answering_is_an_error() -> None:
    async def hang_up(_writer: asyncio.StreamWriter, _n: int) -> bool:
        return False

    async with scripted(hang_up) as server, client() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(server.url)


async def test_a_silent_server_times_out_and_its_connection_is_dropped() -> None:
    async def silent(_writer: asyncio.StreamWriter, n: int) -> bool:
        if n == 1:
            await asyncio.sleep(1)
        return True

    async with scripted(silent) as server, client(read=0.2) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get(server.url)


async def test_a_stream_closed_early_does_not_hand_its_connection_to_the_next_request() -> None:
    async def answer(writer: asyncio.StreamWriter, n: int) -> bool:
        if n == 1:
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n")
            await writer.drain()
            await asyncio.sleep(0.3)  # the rest never matters: the reader goes away
            return False
        writer.write(OK)
        return True

    async with scripted(answer) as server, client() as http:
        async with http.stream("GET", server.url) as r:
            async for chunk in r.aiter_bytes():
                assert chunk == b"first"
                break
        r2 = await http.get(server.url)
        assert r2.json() == {"ok": True}
    assert server.connections == 2


async def test_header_injection_is_refused_before_anything_is_sent() -> None:
    async def ok(writer: asyncio.StreamWriter, _n: int) -> bool:
        writer.write(OK)
        return True

    async with scripted(ok) as server, client() as http:
        with pytest.raises(httpx.LocalProtocolError):
            await http.get(server.url, headers={"X-Extra": "a\r\nX-Injected: 1"})
    assert server.requests == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "169.254.169.254", "10.0.0.1"])
async def test_private_addresses_are_refused_unless_allowed(host: str) -> None:
    async with client(allow_private=False) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"http://{host}:9/v1/models")


async def test_a_loopback_canary_receives_nothing_when_private_networks_are_not_allowed() -> None:
    async def ok(writer: asyncio.StreamWriter, _n: int) -> bool:
        writer.write(OK)
        return True

    async with scripted(ok) as server:
        async with client(allow_private=False) as http:
            with pytest.raises(httpx.ConnectError):
                await http.get(server.url)
        assert server.connections == 0
        async with client(allow_private=True) as http:
            assert (await http.get(server.url)).status_code == 200


async def test_request_headers_override_the_clients_and_no_cookie_is_kept_between_calls() -> None:
    async def with_cookie(writer: asyncio.StreamWriter, _n: int) -> bool:
        writer.write(
            b"HTTP/1.1 200 OK\r\nSet-Cookie: session=tenant-a; Path=/\r\n"
            b"Content-Length: 2\r\n\r\n{}"
        )
        return True

    transport = UpstreamTransport(resolve=checked_resolver(allow_private=True))
    async with (
        scripted(with_cookie) as server,
        UpstreamClient(transport=transport, headers={"User-Agent": "sg", "X-Org": "a"}) as http,
    ):
        await http.post(server.url, content=b"{}", headers={"x-org": "b", "X-Key": "k"})
        await http.post(server.url, content=b"{}")
    first, second = (r.split(b"\r\n\r\n")[0].lower().split(b"\r\n")[1:] for r in server.requests)
    assert b"x-org: b" in first and b"x-org: a" not in first
    assert b"user-agent: sg" in first and b"x-key: k" in first
    assert b"x-org: a" in second
    assert not any(h.startswith(b"cookie:") for h in first + second)


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for ``localhost`` and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


async def test_https_verifies_the_provider_certificate(tmp_path: Path) -> None:
    cert_file, key_file = _self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_file, key_file)
    hits = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal hits
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            while True:
                await _read_request(reader)
                hits += 1
                writer.write(OK)
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_tls)
    url = f"https://localhost:{server.sockets[0].getsockname()[1]}/v1/models"
    trusting = ssl.create_default_context(cafile=str(cert_file))
    try:
        transport = UpstreamTransport(
            resolve=checked_resolver(allow_private=True), ssl_context=trusting
        )
        async with UpstreamClient(transport=transport) as http:
            for _ in range(2):
                assert (await http.get(url)).json() == {"ok": True}
        # A certificate the gateway does not trust is refused before any request is sent.
        strict = UpstreamTransport(resolve=checked_resolver(allow_private=True))
        async with UpstreamClient(transport=strict) as http:
            with pytest.raises(httpx.ConnectError):
                await http.get(url)
    finally:
        server.close()
    assert hits == 2
