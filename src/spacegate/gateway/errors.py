"""Gateway errors in OpenAI's envelope, so official SDKs raise their own typed exceptions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from starlette.responses import Response

if TYPE_CHECKING:
    from spacegate.gateway.refusals import Attempt

# OpenAI's SDK picks its exception class from the status; ``type`` follows OpenAI's own values.
_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "insufficient_quota",
    403: "permission_error",
    404: "not_found_error",
    409: "conflict_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
    500: "api_error",
    502: "api_error",
    503: "api_error",
    504: "api_error",
}


class GatewayError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str,
        param: str | None = None,
        headers: dict[str, str] | None = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.param = param
        self.headers = headers or {}
        #: Which rule or limit refused the call (the inference log's ``refused_by``).
        self.rule = rule
        #: The call as far as it was known, when it was refused after authentication.
        self.attempt: Attempt | None = None

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": _TYPES.get(self.status, "api_error"),
                "param": self.param,
                "code": self.code,
            }
        }

    def response(self, extra_headers: dict[str, str] | None = None) -> Response:
        headers = {**self.headers, **(extra_headers or {})}
        return Response(
            orjson.dumps(self.body()),
            status_code=self.status,
            headers=headers,
            media_type="application/json",
        )


def invalid(
    message: str,
    *,
    param: str | None = None,
    code: str = "invalid_request",
    rule: str | None = None,
) -> GatewayError:
    return GatewayError(400, message, code=code, param=param, rule=rule)


def forbidden(
    message: str, *, code: str, param: str | None = None, rule: str | None = None
) -> GatewayError:
    return GatewayError(403, message, code=code, param=param, rule=rule)
