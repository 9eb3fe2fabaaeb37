"""Domain errors. Services raise these; each API surface renders them in its own shape."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status_code: int = 400
    code: str = "bad_request"
    headers: dict[str, str] | None = None

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code
        if headers is not None:
            self.headers = headers
        self.extra = extra or {}


class BadRequest(AppError):
    status_code = 400
    code = "bad_request"


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"

    def __init__(self, message: str = "Missing or invalid API key.", **kw: Any) -> None:
        kw.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="spacegate"'})
        super().__init__(message, **kw)


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class Unprocessable(AppError):
    status_code = 422
    code = "unprocessable"


class ServiceUnavailable(AppError):
    status_code = 503
    code = "service_unavailable"

    def __init__(self, message: str = "A dependency is unavailable; retry shortly.", **kw: Any):
        kw.setdefault("headers", {"Retry-After": "5"})
        super().__init__(message, **kw)


def not_found(resource: str, ident: object) -> NotFound:
    return NotFound(
        f"{resource} '{ident}' not found", code=f"{resource.lower().replace(' ', '_')}_not_found"
    )
