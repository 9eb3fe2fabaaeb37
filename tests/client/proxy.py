"""A TCP proxy on loopback in front of a live Spacegate, for what only the network can do to a
client: lose an answer after the server did the work, or answer for an overloaded server.

``drop_next()`` lets the next request through and, once the server has answered (so its
transaction has committed), resets the client's connection without forwarding a byte.
``answer_next(raw)`` answers the next request itself with a canned HTTP response.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from types import TracebackType


class Proxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._drops = 0
        self._canned: list[bytes] = []
        #: Every response the server sent that reached the client, raw.
        self.forwarded: list[bytes] = []
        self.dropped = 0
        self.canned_sent = 0
        self._closed = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def drop_next(self, times: int = 1) -> None:
        with self._lock:
            self._drops += times

    def answer_next(self, raw: bytes) -> None:
        with self._lock:
            self._canned.append(raw)

    def start(self) -> Proxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def close(self) -> None:
        self._closed = True
        # shutdown() wakes the thread blocked in accept(); close() alone would not.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()

    def __enter__(self) -> Proxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            while True:
                request = client.recv(65536)
                if not request:
                    return
                while b"\r\n\r\n" not in request:
                    more = client.recv(65536)
                    if not more:
                        return
                    request += more
                with self._lock:
                    canned = self._canned.pop(0) if self._canned else None
                    drop = canned is None and self._drops > 0
                    if drop:
                        self._drops -= 1
                if canned is not None:
                    # Read the rest of the request body so the connection stays in step.
                    self._drain_body(client, request)
                    self.canned_sent += 1
                    client.sendall(canned)
                    continue
                if upstream is None:
                    upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
                upstream.sendall(request)
                self._forward_rest_of_request(client, upstream, request)
                response = self._read_response(upstream)
                if drop:
                    self.dropped += 1
                    # SO_LINGER 0: close with a reset, like a crashed load balancer.
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                self.forwarded.append(response)
                client.sendall(response)
        except OSError:
            return
        finally:
            client.close()
            if upstream is not None:
                upstream.close()

    @staticmethod
    def _body_length(head: bytes) -> int:
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                return int(value.strip())
        return 0

    def _drain_body(self, client: socket.socket, request: bytes) -> None:
        head, _, body = request.partition(b"\r\n\r\n")
        missing = self._body_length(head) - len(body)
        while missing > 0:
            chunk = client.recv(missing)
            if not chunk:
                return
            missing -= len(chunk)

    def _forward_rest_of_request(
        self, client: socket.socket, upstream: socket.socket, request: bytes
    ) -> None:
        head, _, body = request.partition(b"\r\n\r\n")
        missing = self._body_length(head) - len(body)
        while missing > 0:
            chunk = client.recv(missing)
            if not chunk:
                return
            upstream.sendall(chunk)
            missing -= len(chunk)

    def _read_response(self, upstream: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = upstream.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        missing = self._body_length(head) - len(body)
        while missing > 0:
            chunk = upstream.recv(65536)
            if not chunk:
                break
            data += chunk
            missing -= len(chunk)
        return data
