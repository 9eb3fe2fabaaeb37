"""The platform API as the signed-in key, called in process (no socket, no second server)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from spacegate.client import AsyncSpacegate
from spacegate.client._http import RetryPolicy
from spacegate.client.errors import APIStatusError, describe, error_from_response
from spacegate.limits.middleware import ONE_PAGE, OnePage

BASE_URL = "http://console.spacegate.internal"
#: The console shows an error at once rather than retrying behind the person's back.
NO_RETRY = RetryPolicy(max_retries=0)


class _Page:
    """The app, as one page's calls reach it: they share one count of the org's request limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.page = OnePage()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[ONE_PAGE] = self.page
        await self.app(scope, receive, send)


def in_space(space_id: uuid.UUID) -> dict[str, str]:
    """The header that puts a seed 003 / seed 004 call in the space a page shows."""
    return {"X-Space-Id": str(space_id)}


class ConsoleApi:
    """``sdk`` is the typed client; ``get``/``post``/``patch``/``put``/``delete`` are raw JSON
    calls for what the client does not wrap. Both raise ``APIStatusError`` for any non-2xx.

    One ``ConsoleApi`` serves one console request, and all its calls count as one request
    against the org's rate limit (``limits/middleware.py``)."""

    def __init__(self, app: ASGIApp, api_key: str, *, request_id: str | None = None) -> None:
        transport = httpx.ASGITransport(app=_Page(app))
        self._transport = transport
        self._api_key = api_key
        self._sdk: AsyncSpacegate | None = None
        headers = {"Authorization": f"Bearer {api_key}", "User-Agent": "spacegate-console"}
        if request_id:
            headers["X-Request-ID"] = request_id
        self._http = httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=headers)

    @property
    def sdk(self) -> AsyncSpacegate:
        """The typed client, made on first use (most pages only need the raw calls)."""
        if self._sdk is None:
            self._sdk = AsyncSpacegate(
                BASE_URL, self._api_key, retry=NO_RETRY, http_transport=self._transport
            )
        return self._sdk

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        headers: dict[str, str] | None = None,
        files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
    ) -> Any:
        """``headers``: extra ones (``X-Space-Id`` for a space's own resources); ``files``: a
        multipart upload (``[(field, (filename, content, content_type))]``)."""
        headers = dict(headers or {})
        if method == "POST":
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        query = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        response = await self._http.request(
            method, path, json=json, params=query, headers=headers, files=files
        )
        if not response.is_success:
            raise error_from_response(response)
        return response.json() if response.content else None

    async def get(self, path: str, **params: Any) -> Any:
        return await self.request("GET", path, params=params)

    async def post(self, path: str, json: Any = None, *, idempotency_key: str | None = None) -> Any:
        return await self.request("POST", path, json=json, idempotency_key=idempotency_key)

    async def patch(self, path: str, json: Any) -> Any:
        return await self.request("PATCH", path, json=json)

    async def put(self, path: str, json: Any) -> Any:
        return await self.request("PUT", path, json=json)

    async def delete(self, path: str) -> Any:
        return await self.request("DELETE", path)

    async def aclose(self) -> None:
        await self._http.aclose()
        if self._sdk is not None:
            await self._sdk.aclose()


class FormError:
    """An API refusal as a form shows it: one message, and per-field messages for a 422."""

    def __init__(self, exc: APIStatusError) -> None:
        self.status = exc.status_code
        self.message = describe(exc.detail)
        self.fields: dict[str, str] = {}
        if isinstance(exc.detail, list):
            for item in exc.detail:
                loc = [str(p) for p in item.get("loc", ()) if p != "body"]
                if loc:
                    self.fields.setdefault(loc[0], str(item.get("msg", "")))
            if self.fields:
                self.message = "Some fields need attention."

    @classmethod
    def of_fields(cls, fields: dict[str, str]) -> FormError:
        """Fields the console itself refused before calling the API."""
        error = cls.__new__(cls)
        error.status, error.message, error.fields = 422, "Some fields need attention.", fields
        return error


__all__ = ["APIStatusError", "ConsoleApi", "FormError"]
