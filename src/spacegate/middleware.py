"""Pure-ASGI middleware (cheaper than BaseHTTPMiddleware): request ids, the gateway's hot path."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette._exception_handler import wrap_app_handling_exceptions
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from spacegate.logs import request_id_var

_VALID_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


class RequestIdMiddleware:
    """Accept a sane ``X-Request-ID`` or make one; echo it on the response and put it in logs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                candidate = value.decode("latin-1")
                if _VALID_ID.match(candidate):
                    rid = candidate
                break
        rid = rid or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id_var.set(rid)
        raw = rid.encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", raw)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


Handler = Callable[[Request], Awaitable[Response]]


class HotPathMiddleware:
    """Serves a few hot routes (the gateway's inference calls) straight from their handlers.

    A gateway call otherwise walks every router of the app and three more middleware layers, which
    costs more than everything the gateway itself does. Only what those layers would do for these
    routes is kept: app exception handlers (500s still reach ``ServerErrorMiddleware`` outside),
    and CORS, by leaving any request that carries an ``Origin`` header to the normal stack.
    """

    def __init__(self, app: ASGIApp, routes: Mapping[tuple[str, str], Handler]) -> None:
        self.app = app
        self.routes = dict(routes)
        self._handlers: tuple[dict[Any, Any], dict[int, Any]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = None
        if scope["type"] == "http" and not scope.get("root_path"):
            handler = self.routes.get((scope["method"], scope["path"]))
        if handler is None or any(name == b"origin" for name, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return
        scope["starlette.exception_handlers"] = self._exception_handlers(scope)
        request = Request(scope, receive, send)

        async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
            response = await handler(request)
            await response(scope, receive, send)

        await wrap_app_handling_exceptions(endpoint, request)(scope, receive, send)

    def _exception_handlers(self, scope: Scope) -> tuple[dict[Any, Any], dict[int, Any]]:
        # The same split Starlette makes when it builds ExceptionMiddleware.
        if self._handlers is None:
            exc: dict[Any, Any] = {HTTPException: _http_exception}
            status: dict[int, Any] = {}
            for key, value in scope["app"].exception_handlers.items():
                if key in (500, Exception):
                    continue
                if isinstance(key, int):
                    status[key] = value
                else:
                    exc[key] = value
            self._handlers = (exc, status)
        return self._handlers


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return PlainTextResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)
