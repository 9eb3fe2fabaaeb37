"""Egress through an HTTP forward proxy on loopback: CONNECT tunnels for HTTPS (TLS to the
provider inside), absolute-form requests for HTTP, NO_PROXY, a proxy that refuses or dies
mid-stream, and the SSRF policy on the target."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from spacegate.gateway.proxy import EXTENSION, ProxyPolicy, parse_proxy
from spacegate.gateway.upstream import Refused, UpstreamClient, UpstreamTransport, checked_resolver
from tests.fakes.forward_proxy import ForwardProxy
from tests.gateway.conftest import World
from tests.gateway.test_upstream_transport import OK, _read_request, _self_signed, scripted

MSG = [{"role": "user", "content": "one two three"}]


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    with ForwardProxy() as p:
        yield p


async def _ok(writer: asyncio.StreamWriter, _: int) -> bool:
    writer.write(OK)
    return True


async def test_https_goes_through_a_connect_tunnel(tmp_path: Path, proxy: ForwardProxy) -> None:
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
    port = server.sockets[0].getsockname()[1]
    try:
        transport = UpstreamTransport(
            resolve=checked_resolver(allow_private=True),
            ssl_context=ssl.create_default_context(cafile=str(cert_file)),
            proxies=ProxyPolicy({"HTTPS_PROXY": proxy.url, "NO_PROXY": "example.com"}),
        )
        async with UpstreamClient(transport=transport) as http:
            for _ in range(2):
                r = await http.post(f"https://localhost:{port}/v1/chat", content=b"{}")
                assert r.json() == {"ok": True}
        # The provider's certificate is still verified inside the tunnel.
        strict = UpstreamTransport(
            resolve=checked_resolver(allow_private=True),
            proxies=ProxyPolicy({"https_proxy": proxy.url}),
        )
        async with UpstreamClient(transport=strict) as http:
            with pytest.raises(httpx.ConnectError):
                await http.post(f"https://localhost:{port}/v1/chat", content=b"{}")
    finally:
        server.close()
    assert hits == 2
    # One tunnel, kept alive for the second call; then the refused TLS attempt.
    assert proxy.seen == [f"CONNECT localhost:{port} HTTP/1.1"] * 2


async def test_http_is_sent_in_absolute_form_and_no_proxy_is_honoured(
    proxy: ForwardProxy,
) -> None:
    async with scripted(_ok) as server:
        url = f"{server.url}/v1/chat"
        transport = UpstreamTransport(
            resolve=checked_resolver(allow_private=True),
            proxies=ProxyPolicy({"HTTP_PROXY": f"http://u:p%40ss@127.0.0.1:{proxy.port}"}),
        )
        async with UpstreamClient(transport=transport) as http:
            assert (await http.post(url, content=b"{}")).json() == {"ok": True}
        assert proxy.seen == [f"POST {url} HTTP/1.1"]
        assert proxy.auth == ["Basic dTpwQHNz"]  # u:p@ss
        assert server.requests[0].startswith(b"POST /v1/chat HTTP/1.1\r\n")
        assert b"proxy-authorization" not in server.requests[0].lower()

        bypass = UpstreamTransport(
            resolve=checked_resolver(allow_private=True),
            proxies=ProxyPolicy({"HTTP_PROXY": proxy.url, "NO_PROXY": "localhost,127.0.0.1"}),
        )
        async with UpstreamClient(transport=bypass) as http:
            assert (await http.post(url, content=b"{}")).json() == {"ok": True}
        assert len(proxy.seen) == 1 and len(server.requests) == 2

        # A connection's own proxy_url, without any environment.
        own = UpstreamTransport(resolve=checked_resolver(allow_private=True))
        async with UpstreamClient(transport=own) as http:
            request = http.build_request(
                "POST", url, content=b"{}", extensions={EXTENSION: proxy.url}
            )
            assert (await http.send(request)).json() == {"ok": True}
        assert len(proxy.seen) == 2


async def test_a_refusing_proxy_is_a_proxy_error() -> None:
    with ForwardProxy(refuse=True) as refusing:
        transport = UpstreamTransport(
            resolve=checked_resolver(allow_private=True),
            proxies=ProxyPolicy({"HTTPS_PROXY": refusing.url}),
        )
        async with UpstreamClient(transport=transport) as http:
            with pytest.raises(httpx.ProxyError, match="403"):
                await http.post("https://127.0.0.1:9/v1/chat", content=b"{}")
        assert refusing.seen == ["CONNECT 127.0.0.1:9 HTTP/1.1"]


async def test_a_proxy_dying_mid_stream_ends_the_body_with_an_error() -> None:
    async def long_answer(writer: asyncio.StreamWriter, _: int) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100_000)
        return True

    with ForwardProxy(die_after=500) as dying:
        async with scripted(long_answer) as server:
            transport = UpstreamTransport(
                resolve=checked_resolver(allow_private=True),
                proxies=ProxyPolicy({"HTTP_PROXY": dying.url}),
            )
            async with (
                UpstreamClient(transport=transport) as http,
                http.stream("POST", server.url, content=b"{}") as r,
            ):
                assert r.status_code == 200
                with pytest.raises(httpx.RemoteProtocolError):
                    await r.aread()


async def test_the_ssrf_policy_applies_to_the_target_not_the_proxy(proxy: ForwardProxy) -> None:
    async with scripted(_ok) as server:
        strict = UpstreamTransport(
            resolve=checked_resolver(allow_private=False),  # the proxy itself is on loopback
            proxies=ProxyPolicy({"HTTP_PROXY": proxy.url, "HTTPS_PROXY": proxy.url}),
        )
        async with UpstreamClient(transport=strict) as http:
            for url in (f"{server.url}/v1/chat", "https://127.0.0.1:9/v1/chat"):
                with pytest.raises(Refused):
                    await http.post(url, content=b"{}")
    assert proxy.seen == [] and server.requests == []

    async def egress_only(host: str, port: int) -> list[str]:
        raise httpx.ConnectError(f"cannot resolve {host}")  # only the proxy's side knows it

    transport = UpstreamTransport(
        resolve=egress_only, proxies=ProxyPolicy({"HTTPS_PROXY": proxy.url})
    )
    async with UpstreamClient(transport=transport) as http:
        with pytest.raises(httpx.ProxyError):  # here the proxy cannot resolve it either: 502
            await http.post("https://llm.egress-only.invalid/v1/chat", content=b"{}")
    assert proxy.seen == ["CONNECT llm.egress-only.invalid:443 HTTP/1.1"]


def test_proxy_urls_are_parsed_and_others_refused() -> None:
    assert parse_proxy("proxy.corp.lan:3128").port == 3128
    assert parse_proxy("http://proxy.corp.lan").port == 80
    for bad in ("https://proxy:3128", "socks5://proxy:1080", "http://"):
        with pytest.raises(ValueError, match="prox"):
            parse_proxy(bad)


# -- through the gateway, with a connection's config.proxy_url -------------------------------


async def _proxied_model(world: World, proxy_url: str) -> str:
    provider = await world.provider(config={"proxy_url": proxy_url})
    model = await world.model(targets=[{"provider_id": provider, "upstream_model": "fake-model"}])
    return str(model["alias"])


async def test_gateway_calls_and_streams_go_through_the_connections_proxy(
    world: World, proxy: ForwardProxy
) -> None:
    alias = await _proxied_model(world, proxy.url)
    r = await world.api.post(
        "/v1/chat/completions", json={"model": alias, "messages": MSG}, headers=world.headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"]
    r = await world.api.post(
        "/v1/chat/completions",
        json={"model": alias, "messages": MSG, "stream": True},
        headers=world.headers,
    )
    assert r.status_code == 200 and r.text.rstrip().endswith("data: [DONE]")
    assert len(world.fake.requests) == 2
    assert proxy.seen and proxy.seen[0] == f"POST {world.fake.url}/v1/chat/completions HTTP/1.1"


async def test_gateway_answers_502_when_the_proxy_refuses_or_dies(world: World) -> None:
    with ForwardProxy(refuse=True) as refusing:
        alias = await _proxied_model(world, refusing.url)
        r = await world.api.post(
            "/v1/chat/completions", json={"model": alias, "messages": MSG}, headers=world.headers
        )
    assert r.status_code == 502, r.text
    assert r.json()["error"]["type"] == "api_error"
    with ForwardProxy(die_after=400) as dying:
        alias = await _proxied_model(world, dying.url)
        r = await world.api.post(
            "/v1/chat/completions",
            json={"model": alias, "messages": MSG, "stream": True},
            headers=world.headers,
        )
    assert r.status_code == 200  # the stream had started: it ends with an error event
    assert '"error"' in r.text and "data: [DONE]" not in r.text


async def test_proxy_url_is_validated(world: World) -> None:
    for bad in ("http://user:secret@proxy:3128", "socks5://proxy:1080", "http://proxy/path"):
        r = await world.api.post(
            "/v1/providers",
            json={
                "name": f"p-{uuid.uuid4().hex[:6]}",
                "type": "openai",
                "base_url": "https://api.openai.com/v1",
                "config": {"proxy_url": bad},
            },
            headers=world.org.headers,
        )
        assert r.status_code == 422, (bad, r.text)
        assert "secret" not in r.text
