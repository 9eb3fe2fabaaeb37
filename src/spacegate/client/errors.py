"""Typed errors of the Spacegate client.

Every error the server answers carries the HTTP status, the stable machine ``code`` and the human
``detail``; scripts branch on ``code`` (or on the exception class), people read ``detail``.
"""

from __future__ import annotations

from typing import Any

import httpx


class SpacegateError(Exception):
    """Base class of everything the client raises on purpose."""


class APIConnectionError(SpacegateError):
    """No answer from the server (refused, reset, timed out), after every retry."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.request = request


class APIStatusError(SpacegateError):
    """The server answered with an error status."""

    status_code: int = 0

    def __init__(self, response: httpx.Response, *, code: str, detail: Any) -> None:
        self.response = response
        self.status_code = response.status_code
        self.code = code
        self.detail = detail
        self.request_id = response.headers.get("x-request-id")
        super().__init__(f"{self.status_code} {code}: {describe(detail)}")


class BadRequestError(APIStatusError):
    status_code = 400


class AuthenticationError(APIStatusError):
    status_code = 401


class PermissionDeniedError(APIStatusError):
    status_code = 403


class NotFoundError(APIStatusError):
    status_code = 404


class ConflictError(APIStatusError):
    status_code = 409


class UnprocessableEntityError(APIStatusError):
    status_code = 422


class RateLimitError(APIStatusError):
    status_code = 429

    @property
    def retry_after(self) -> float | None:
        return retry_after_seconds(self.response)


class InternalServerError(APIStatusError):
    """Any 5xx."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}

_DEFAULT_CODES = {422: "validation_error", 429: "rate_limited"}


def describe(detail: Any) -> str:
    """One line for a ``detail``: the string itself, or the first pydantic error of a 422 list."""
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        first = detail[0]
        loc = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        more = f" (and {len(detail) - 1} more)" if len(detail) > 1 else ""
        return f"{loc}: {first.get('msg', '')}{more}" if loc else f"{first.get('msg', '')}{more}"
    return str(detail)


def error_from_response(response: httpx.Response) -> APIStatusError:
    """Build the typed error of a non-2xx answer, whichever surface's error shape it has."""
    status = response.status_code
    code = _DEFAULT_CODES.get(status, "http_error")
    detail: Any = response.reason_phrase or f"HTTP {status}"
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        if isinstance(body.get("error"), dict):  # the OpenAI envelope of the gateway routes
            err = body["error"]
            detail = err.get("message", detail)
            code = str(err.get("code") or err.get("type") or code)
        else:
            detail = body.get("detail", detail)
            code = str(body.get("code") or code)
    cls = _BY_STATUS.get(status, InternalServerError if status >= 500 else APIStatusError)
    return cls(response, code=code, detail=detail)


def retry_after_seconds(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds (the delta form; the date form is answered by no Spacegate)."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
