"""The org's request limit on every control-plane API call (seed 003: 1000/hour, 100/minute).

A pure ASGI middleware, ahead of routing: it resolves the caller once (the route's auth
dependency reuses that principal), counts the call against the caller's org and answers an
over-limit call exactly as seed 003 shows — ``429``, ``Retry-After: N`` and
``{"detail": "Rate limit exceeded. Retry after N seconds."}`` — with the IETF ``RateLimit``
fields naming the window that tripped. Calls without a valid key are not counted (counting them
would let anyone spend an org's quota, or probe its traffic); their route answers 401 as usual.
Gateway routes are limited by the gateway itself, in OpenAI's error envelope. The org limit's
own route (``/v1/orgs/{org_id}/rate-limit``) is not limited: an admin who set a limit too low
can always raise it again (its route still checks who may).

A console page calls the API in process several times (a space's models page reads the space,
its models, the catalogue...). A page is one request a person made, so it counts once: the
console's calls carry a ``OnePage`` in their ASGI scope (set in process, never from a header a
client could send), and only the first of them is counted.
"""

from __future__ import annotations

import logging

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from spacegate.auth import resolver
from spacegate.errors import AppError
from spacegate.limits import headers
from spacegate.limits.service import LimitService

log = logging.getLogger(__name__)

#: Served by the gateway (its own limits and error envelope) or open to anyone.
_EXEMPT_EXACT = frozenset(
    {
        "/v1/chat/completions",
        "/v1/completions",
        "/v1/embeddings",
        "/v1/models",
        "/healthz",
        "/readyz",
        "/metrics",
        "/docs",
        "/redoc",
        "/openapi.json",
    }
)
_EXEMPT_PREFIXES = ("/v1/models/", "/docs/")


#: The ASGI scope key under which the console's in-process calls carry their page's ``OnePage``.
ONE_PAGE = "spacegate.one_page"


class OnePage:
    """The API calls made for one console page: the first is counted, the rest ride on it."""

    __slots__ = ("counted",)

    def __init__(self) -> None:
        self.counted = False


def exempt(path: str) -> bool:
    return (
        path in _EXEMPT_EXACT
        or path.startswith(_EXEMPT_PREFIXES)
        or (path.startswith("/v1/orgs/") and path.endswith("/rate-limit"))
    )


class OrgRateLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        page: OnePage | None = scope.get(ONE_PAGE)
        if page is not None:
            if page.counted:  # this page was counted on its first call
                await self.app(scope, receive, send)
                return
            page.counted = True
        limits: LimitService | None = getattr(scope["app"].state, "limits", None)
        key = _credential(scope)
        if limits is None or key is None:
            await self.app(scope, receive, send)
            return
        try:
            principal = await resolver.resolve(limits.runtime, key)
        except AppError:  # a bad key: not counted; the route answers 401
            await self.app(scope, receive, send)
            return
        except Exception:  # the database is away: the route answers that (503), not us (500)
            log.warning("org rate limit skipped: could not resolve the caller", exc_info=True)
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        try:
            verdict = await limits.check_org(principal.org_id)
        except Exception:
            log.warning("org rate limit skipped: could not read the org's limit", exc_info=True)
            verdict = None
        if verdict is None:
            await self.app(scope, receive, send)
            return
        fields = [(k.lower().encode(), v.encode()) for k, v in verdict.headers().items()]
        if not verdict.allowed:
            wait = headers.retry_after(verdict.retry_after)
            body = orjson.dumps({"detail": f"Rate limit exceeded. Retry after {wait} seconds."})
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"retry-after", str(wait).encode()),
                        *fields,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_fields(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *fields]
            await send(message)

        await self.app(scope, receive, send_with_fields)


def _credential(scope: Scope) -> str | None:
    authorization = x_api_key = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            authorization = value.decode("latin-1")
        elif name == b"x-api-key":
            x_api_key = value.decode("latin-1")
    if authorization is None and x_api_key is None:
        return None
    try:
        return resolver.extract_key(authorization, x_api_key)
    except AppError:
        return None
