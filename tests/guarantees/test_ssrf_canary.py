"""SSRF with a canary: a listener on every local address (loopback, the host's own private
addresses) counts each connection it receives. Provider base URLs naming it, or any internal
address, in every spelling, are refused when created or updated; rows that hold such URLs anyway
(stored while the operator allowed private networks, then disallowed) are refused again at
connect time; a provider redirecting to an internal address is not followed. The canary must
receive nothing, while the same URLs do reach it once private networks are allowed (the
control that proves the canary would have noticed).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from spacegate.config import Settings
from tests.factories import OrgCtx
from tests.gateway.conftest import World
from tests.guarantees.report import record
from tests.guarantees.state import database
from tests.live import LiveServer


class Canary:
    """Accepts and immediately closes connections on all local addresses, counting them."""

    def __init__(self) -> None:
        try:
            self.sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            self.sock.bind(("::", 0))
            self.ipv6 = True
        except OSError:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.bind(("0.0.0.0", 0))  # noqa: S104  (the point: every local address)
            self.ipv6 = False
        self.sock.listen(64)
        self.port: int = self.sock.getsockname()[1]
        self.hits = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.hits += 1
            conn.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self._thread.join(5)


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    c = Canary()
    yield c
    c.close()


def _hosts_file_names() -> list[str]:
    """Names this machine resolves to non-public addresses without DNS (``/etc/hosts``)."""
    names: list[str] = []
    with contextlib.suppress(OSError):
        for line in Path("/etc/hosts").read_text().splitlines():
            parts = line.split("#")[0].split()
            with contextlib.suppress(ValueError, IndexError):
                if not ipaddress.ip_address(parts[0].split("%")[0]).is_global:
                    names += [n for n in parts[1:] if n not in names]
    return names


def _own_addresses() -> list[str]:
    found: list[str] = []
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None, type=socket.SOCK_STREAM):
            addr = str(info[4][0]).split("%")[0]
            host = f"[{addr}]" if ":" in addr else addr
            if host not in found:
                found.append(host)
    return found


LOOPBACK = [
    "127.0.0.1",
    "127.1",
    "127.0.1",
    "0x7f000001",
    "2130706433",
    "017700000001",
    "0177.0.0.1",
    "0x7f.0.0.1",
    "127.0.0.1.",
    "127.254.3.4",
    "127%2e0%2e0%2e1",
    "0.0.0.0",  # noqa: S104  (a URL to refuse, nothing is bound)
    "0",
    "[::1]",
    "[0:0:0:0:0:0:0:1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[::127.0.0.1]",
    "[::]",
    "[64:ff9b::7f00:1]",
    "[2002:7f00:1::]",
    "localhost",
    "localhost.",
    "LOCALHOST",
]
INTERNAL = [
    "169.254.169.254",
    "[fd00:ec2::254]",
    "[::ffff:169.254.169.254]",
    "metadata.google.internal",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.0.1",
    "100.64.0.1",
    "[fc00::1]",
    "[fe80::1]",
    "169.254.1.1",
    "224.0.0.1",
    "255.255.255.255",
]


def _payloads(port: int) -> list[str]:
    hosts = [*LOOPBACK, *INTERNAL, *_own_addresses(), *_hosts_file_names()]
    return [f"http://{h}:{port}/v1" for h in dict.fromkeys(hosts)]


async def _create(client: httpx.AsyncClient, org: OrgCtx, base_url: str) -> httpx.Response:
    return await client.post(
        "/v1/providers",
        json={"name": f"p-{uuid.uuid4().hex[:8]}", "type": "openai", "base_url": base_url},
        headers=org.headers,
    )


async def test_internal_base_urls_are_refused_at_create_and_update(
    client: httpx.AsyncClient, org: OrgCtx, settings: Settings, canary: Canary
) -> None:
    assert settings.allow_private_networks is False
    before = canary.hits
    payloads = _payloads(canary.port)
    public = await _create(client, org, "https://8.8.8.8/v1")
    assert public.status_code == 201, public.text
    pid = public.json()["id"]
    answers = []
    for url in payloads:
        answers.append(await _create(client, org, url))
        answers.append(
            await client.patch(f"/v1/providers/{pid}", json={"base_url": url}, headers=org.headers)
        )
    refused = [r for r in answers if r.status_code == 422]
    errors = [r for r in answers if r.status_code >= 500]
    record(
        "ssrf",
        database=database(settings),
        cases=len(answers),
        payloads=len(answers),
        refused=len(refused),
        canary_hits=canary.hits - before,
        server_errors=len(errors),
    )
    assert [(r.request.url.path, r.status_code) for r in answers if r.status_code != 422] == []
    assert {r.json()["code"] for r in refused} == {"base_url_not_allowed"}
    got = await client.get(f"/v1/providers/{pid}", headers=org.headers)
    assert got.json()["base_url"] == "https://8.8.8.8/v1"
    assert canary.hits == before


@contextlib.asynccontextmanager
async def _redirector(target: str) -> AsyncIterator[tuple[str, list[int]]]:
    """An upstream answering every call with a redirect to ``target``."""
    hits: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            await reader.readuntil(b"\r\n\r\n")
            hits.append(1)
            for status in (b"307 Temporary Redirect",):
                writer.write(
                    b"HTTP/1.1 "
                    + status
                    + b"\r\nLocation: "
                    + target.encode()
                    + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
            await writer.drain()
        writer.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{srv.sockets[0].getsockname()[1]}/v1", hits
    finally:
        srv.close()


async def _chat(http: httpx.AsyncClient, world: World, alias: str) -> httpx.Response:
    return await http.post(
        "/v1/chat/completions",
        json={"model": alias, "messages": [{"role": "user", "content": "hi"}]},
        headers=world.headers,
    )


async def test_stored_internal_urls_are_refused_at_connect_time_and_redirects_not_followed(
    world: World, settings: Settings, canary: Canary
) -> None:
    """``world`` runs on a server that allows private networks: it stores the URLs that a
    strict server (``allow_private_networks=False``, same database) must then refuse to reach."""
    assert settings.allow_private_networks is False
    before = canary.hits
    lifted = await world.api.put(
        f"/v1/orgs/{world.org.org_id}/rate-limit",
        json={"rate_limit": "off"},
        headers=world.org.headers,
    )
    assert lifted.status_code == 200, lifted.text
    aliases: list[str] = []
    for url in _payloads(canary.port):
        r = await world.api.post(
            "/v1/providers",
            json={"name": f"p-{uuid.uuid4().hex[:8]}", "type": "openai", "base_url": url},
            headers=world.org.headers,
        )
        if r.status_code != 201:  # e.g. a name that does not resolve here
            continue
        target = {"provider_id": r.json()["id"], "upstream_model": "m"}
        aliases.append((await world.model(targets=[target]))["alias"])
    async with _redirector(f"http://127.0.0.1:{canary.port}/v1/chat/completions") as (base, hits):
        target = {"provider_id": await world.provider(base_url=base), "upstream_model": "m"}
        redirecting = (await world.model(targets=[target]))["alias"]
        followed = await _chat(world.api, world, redirecting)
    assert hits and followed.status_code == 502, followed.text
    with LiveServer(settings) as strict:
        async with httpx.AsyncClient(base_url=strict.url, timeout=30) as http:
            answers = [await _chat(http, world, a) for a in aliases]
    hits_when_strict = canary.hits - before
    # The control: the same calls through the permissive server do reach the canary.
    control = [await _chat(world.api, world, a) for a in aliases[:3]]
    record(
        "ssrf",
        database=database(settings),
        cases=len(answers) + 1,
        payloads=len(answers) + 1,
        refused=sum(1 for r in answers if r.status_code >= 400) + int(followed.status_code == 502),
        canary_hits=hits_when_strict,
        server_errors=sum(1 for r in answers if r.status_code in (500, 501)),
    )
    assert len(aliases) >= len(LOOPBACK) - 2
    assert hits_when_strict == 0
    assert {r.status_code for r in answers} <= {502, 503}, [r.text for r in answers][:3]
    assert all("error" in r.json() for r in answers)
    assert all(r.status_code == 502 for r in control)
    assert canary.hits > before
