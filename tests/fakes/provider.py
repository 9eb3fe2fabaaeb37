"""A fake model provider: a real HTTP server on 127.0.0.1 speaking OpenAI's, Azure OpenAI's and
Anthropic's wire formats, with deterministic answers and selectable misbehaviour.

Answers echo the last user message ("Echo: <text>"); token counts are word counts. Behaviours
are chosen per request by ``+``-separated words in the model (or Azure deployment) name, e.g.
``gpt-fake+no-usage``, or by an ``X-Fake-Behaviour: a,b`` header:

``slow-first-byte``  wait ``first_byte_delay`` s before answering
``slow-drip``        send the body in small pieces, ``drip_delay`` s apart
``429``              rate limited, with ``Retry-After: retry_after``
``500``              server error; ``529`` overloaded (Anthropic's)
``401``              refuse the credential
``garbage``          200 with a body that is not JSON
``huge``             200 with a body of ``huge_bytes``
``redirect``         302 to ``/redirected`` on this server (which records being reached)
``echo-key``         400 whose message quotes the received API key, whole and masked
``no-usage``         answers without usage
``tool-call``        answer with a call to the first tool offered
``stream-error``     (Anthropic streams) an ``error`` event after the first delta

``responder`` scripts chat answers instead (OpenAI's wire format): a function of the request body.

Use it as a context manager (``with FakeProvider() as fake:``) from fixtures or benchmarks, or
run ``python -m tests.fakes.provider --port 8900``. Every request is kept in ``requests``.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes import anthropic_wire, openai_wire


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)


@dataclass
class Call:
    """What a handler needs to answer one request."""

    fake: FakeProvider
    request: Request
    body: dict[str, Any]
    model: str
    behaviours: frozenset[str]
    key: str

    def has(self, behaviour: str) -> bool:
        return behaviour in self.behaviours


@dataclass
class FakeProvider:
    first_byte_delay: float = 0.5
    drip_delay: float = 0.05
    drip_pieces: int = 40
    huge_bytes: int = 17 * 1024 * 1024
    retry_after: str = "7"
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[Recorded] = field(default_factory=list)
    #: Scripted chat answers: given a request body, the assistant's text, or None to echo.
    #: Tests of features that read model output (guards, routers, JSON answers) set it.
    responder: Callable[[dict[str, Any]], str | None] | None = None
    #: Scripted embeddings: given an input text, its vector (None: a hash of the text).
    #: Tests of search quality set one whose vectors mean something.
    embedder: Callable[[str], list[float]] | None = None
    redirect_hits: int = 0
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def last(self) -> Recorded:
        return self.requests[-1]

    def clear(self) -> None:
        self.requests.clear()
        self.redirect_hits = 0

    # -- serving -----------------------------------------------------------------------------

    def app(self) -> Starlette:
        routes = [
            Route("/v1/chat/completions", self._openai(openai_wire.chat), methods=["POST"]),
            Route("/v1/completions", self._openai(openai_wire.completions), methods=["POST"]),
            Route("/v1/embeddings", self._openai(openai_wire.embeddings), methods=["POST"]),
            Route("/v1/models", openai_wire.models, methods=["GET"]),
            Route(
                "/openai/deployments/{deployment}/chat/completions",
                self._azure(openai_wire.chat),
                methods=["POST"],
            ),
            Route(
                "/openai/deployments/{deployment}/completions",
                self._azure(openai_wire.completions),
                methods=["POST"],
            ),
            Route(
                "/openai/deployments/{deployment}/embeddings",
                self._azure(openai_wire.embeddings),
                methods=["POST"],
            ),
            Route("/v1/messages", self._anthropic, methods=["POST"]),
            Route("/redirected", self._redirected, methods=["GET", "POST"]),
        ]
        return Starlette(routes=routes)

    def start(self) -> FakeProvider:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Served from a socket we bound, uvloop leaves Nagle on: small keep-alive answers then
        # wait ~40 ms for delayed ACKs. Accepted sockets inherit this option.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app(), log_level="warning", access_log=False, lifespan="off", ws="none"
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake provider did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> FakeProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- handlers ----------------------------------------------------------------------------

    async def _record(self, request: Request) -> bytes:
        body = await request.body()
        self.requests.append(
            Recorded(
                request.method,
                request.url.path,
                request.url.query,
                {k.lower(): v for k, v in request.headers.items()},
                body,
            )
        )
        return body

    async def _call(self, request: Request, model: str | None, key: str) -> Call | Response:
        raw = await self._record(request)
        try:
            body = orjson.loads(raw) if raw else {}
        except orjson.JSONDecodeError:
            return JSONResponse({"error": {"message": "We could not parse the JSON body."}}, 400)
        if not isinstance(body, dict):
            return JSONResponse({"error": {"message": "The body must be an object."}}, 400)
        model = model if model is not None else str(body.get("model") or "")
        header = request.headers.get("x-fake-behaviour", "")
        behaviours = {b for b in model.split("+")[1:] if b}
        behaviours.update(b.strip() for b in header.split(",") if b.strip())
        call = Call(self, request, body, model, frozenset(behaviours), key)
        if call.has("slow-first-byte"):
            await asyncio.sleep(self.first_byte_delay)
        return call

    def _openai(self, handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            auth = request.headers.get("authorization", "")
            key = auth[7:] if auth.lower().startswith("bearer ") else ""
            call = await self._call(request, None, key)
            if isinstance(call, Response):
                return call
            if not key:
                return openai_wire.error(401, "You didn't provide an API key.", "invalid_api_key")
            return openai_wire.misbehave(call) or await handler(call)

        return endpoint

    def _azure(self, handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            key = request.headers.get("api-key", "")
            call = await self._call(request, request.path_params["deployment"], key)
            if isinstance(call, Response):
                return call
            if not request.query_params.get("api-version"):
                return openai_wire.error(404, "Resource not found", "404")
            if not key:
                return openai_wire.error(401, "Access denied due to missing key.", "401")
            return openai_wire.misbehave(call) or await handler(call)

        return endpoint

    async def _anthropic(self, request: Request) -> Response:
        key = request.headers.get("x-api-key", "")
        call = await self._call(request, None, key)
        if isinstance(call, Response):
            return call
        return anthropic_wire.misbehave(call) or await anthropic_wire.messages(call)

    async def _redirected(self, request: Request) -> Response:
        await self._record(request)
        self.redirect_hits += 1
        return JSONResponse(openai_wire.completion_body("redirected", "Echo: redirected", 1, 2))

    # -- shared answer helpers ---------------------------------------------------------------

    def drip(self, body: bytes, media_type: str, status: int = 200) -> Response:
        """``body`` sent slowly, in ``drip_pieces`` pieces ``drip_delay`` apart."""
        size = max(1, len(body) // self.drip_pieces)

        async def pieces() -> AsyncIterator[bytes]:
            for start in range(0, len(body), size):
                yield body[start : start + size]
                await asyncio.sleep(self.drip_delay)

        return StreamingResponse(pieces(), status_code=status, media_type=media_type)

    def huge(self, head: bytes, tail: bytes) -> Response:
        async def pieces() -> AsyncIterator[bytes]:
            yield head
            block = b"a" * (1024 * 1024)
            for _ in range(self.huge_bytes // len(block) + 1):
                yield block
            yield tail

        return StreamingResponse(pieces(), media_type="application/json")

    def events(self, call: Call, events: Iterator[bytes]) -> Response:
        async def stream() -> AsyncIterator[bytes]:
            for event in events:
                yield event
                if call.has("slow-drip"):
                    await asyncio.sleep(self.drip_delay)

        return StreamingResponse(stream(), media_type="text/event-stream")


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the fake model provider.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument(
        "--embedding-dimensions", type=int, default=0, help="the embeddings' size (default: 8)"
    )
    args = parser.parse_args()
    fake = FakeProvider(host=args.host, port=args.port)
    if args.embedding_dimensions:
        from tests.fakes.openai_wire import _vector

        size = args.embedding_dimensions
        fake.embedder = lambda text: _vector(text, size)
    # Keeps idle connections a minute, as hosted providers do (uvicorn's default is 5 s): a
    # client pausing between benchmark runs finds its pool still open.
    uvicorn.run(
        fake.app(),
        host=args.host,
        port=args.port,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=60,
    )


if __name__ == "__main__":
    main()
