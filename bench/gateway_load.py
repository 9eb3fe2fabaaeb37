"""A closed-loop HTTP/1.1 load generator for the gateway benchmark.

Each simulated client owns one keep-alive connection and sends the same pre-encoded request again
as soon as the previous answer is complete. Requests are written as ready-made bytes and answers
are parsed with httptools (the parser uvicorn itself uses), so the generator spends a few
microseconds per request instead of the ~100 µs a general-purpose client such as httpx needs: on a
small machine that shares its cores with the servers, a heavier client would measure itself.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import cast

import httptools

_OVERHEAD = b"x-spacegate-overhead-ms"


@dataclass(frozen=True, slots=True)
class Target:
    host: str
    port: int
    path: str
    headers: dict[str, str]
    body: bytes

    def request_bytes(self) -> bytes:
        lines = [f"POST {self.path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in self.headers.items()]
        lines += [f"Content-Length: {len(self.body)}", "", ""]
        return "\r\n".join(lines).encode("latin-1") + self.body


@dataclass(slots=True)
class RunResult:
    concurrency: int
    wall_s: float
    latencies_ns: list[int]
    errors: int
    #: Spacegate's own ``X-Spacegate-Overhead-Ms`` figures, when the target sends them.
    overheads_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    sample_body: bytes = b""

    @property
    def completed(self) -> int:
        return len(self.latencies_ns)

    @property
    def rps(self) -> float:
        return self.completed / self.wall_s if self.wall_s > 0 else 0.0

    def percentile_ms(self, q: float) -> float:
        return percentile(self.latencies_ns, q) / 1e6


def percentile(values: list[int] | list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of unsorted values; 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return float(ordered[rank - 1])


class _Connection(asyncio.Protocol):
    """One keep-alive connection; ``exchange`` sends a request and waits for its whole answer."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._done: asyncio.Future[int] | None = None
        self._body: list[bytes] = []
        self.overhead_ms: float | None = None
        self.keep_body = False

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(exc or ConnectionResetError("connection closed by the server"))

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == _OVERHEAD:
            self.overhead_ms = float(value)

    def on_body(self, body: bytes) -> None:
        if self.keep_body:
            self._body.append(body)

    def on_message_complete(self) -> None:
        if self._done is not None and not self._done.done():
            self._done.set_result(self._parser.get_status_code())

    def _fail(self, exc: BaseException) -> None:
        if self._done is not None and not self._done.done():
            self._done.set_exception(exc)

    async def exchange(self, request: bytes) -> int:
        assert self.transport is not None
        self._done = asyncio.get_running_loop().create_future()
        self._body.clear()
        self.overhead_ms = None
        self.transport.write(request)
        return await self._done

    def body(self) -> bytes:
        return b"".join(self._body)


async def run(
    target: Target, *, concurrency: int, max_requests: int, max_seconds: float
) -> RunResult:
    """``concurrency`` clients in a closed loop, until ``max_requests`` or ``max_seconds``."""
    loop = asyncio.get_running_loop()
    request = target.request_bytes()
    conns: list[_Connection] = []
    for _ in range(concurrency):
        _, proto = await loop.create_connection(_Connection, target.host, target.port)
        conns.append(proto)
    result = RunResult(concurrency, 0.0, [], 0)
    issued = 0
    deadline = time.perf_counter() + max_seconds

    async def client(conn: _Connection) -> None:
        nonlocal issued
        latencies, overheads, statuses = result.latencies_ns, result.overheads_ms, result.statuses
        clock = time.perf_counter_ns
        while issued < max_requests and time.perf_counter() < deadline:
            issued += 1
            conn.keep_body = not result.sample_body
            t0 = clock()
            try:
                status = await conn.exchange(request)
            except (OSError, httptools.HttpParserError):
                result.errors += 1
                return
            latencies.append(clock() - t0)
            statuses[status] = statuses.get(status, 0) + 1
            if status != 200:
                result.errors += 1
            if conn.overhead_ms is not None:
                overheads.append(conn.overhead_ms)
            if conn.keep_body:
                result.sample_body = conn.body()

    started = time.perf_counter()
    try:
        await asyncio.gather(*(client(c) for c in conns))
    finally:
        result.wall_s = time.perf_counter() - started
        for conn in conns:
            if conn.transport is not None:
                conn.transport.close()
    return result
