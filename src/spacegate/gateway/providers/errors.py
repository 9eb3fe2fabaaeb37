"""Typed upstream failures. ``retryable`` tells the gateway whether the next target may be tried.

They are ``GatewayError``s, so any of them renders as OpenAI's error envelope as is. Messages are
written by us or scrubbed of credentials before they get here (see ``scrub``).
"""

from __future__ import annotations

import math
from typing import Any

from spacegate.gateway.errors import GatewayError


class ProviderError(GatewayError):
    retryable = False
    default_status = 502
    default_code = "upstream_error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
        upstream_status: int | None = None,
        error_type: str | None = None,
    ) -> None:
        super().__init__(
            status or self.default_status,
            message,
            code=code or self.default_code,
            param=param,
            headers=headers,
        )
        #: The HTTP status upstream answered with, when it answered at all.
        self.upstream_status = upstream_status
        #: Upstream's own error ``type`` (passed through for rejected requests).
        self.error_type = error_type

    def body(self) -> dict[str, Any]:
        body = super().body()
        if self.error_type:
            body["error"]["type"] = self.error_type
        return body


class UpstreamUnavailable(ProviderError):
    """Could not connect, or the connection broke: another target may well work."""

    retryable = True
    default_code = "upstream_unavailable"


class UpstreamTimeout(ProviderError):
    retryable = True
    default_status = 504
    default_code = "upstream_timeout"


class UpstreamRateLimited(ProviderError):
    retryable = True
    default_status = 429
    default_code = "upstream_rate_limited"

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        if retry_after is not None:
            kw.setdefault("headers", {"Retry-After": str(max(1, math.ceil(retry_after)))})
        super().__init__(message, **kw)
        #: Seconds upstream asked us to wait, when it said.
        self.retry_after = retry_after


class UpstreamServerError(ProviderError):
    retryable = True
    default_code = "upstream_server_error"


class UpstreamAuthFailed(ProviderError):
    """Upstream refused *our* credential. Passing its 401 on would tell the client that the
    client's own key is wrong, so this is a gateway-side failure; another target may hold a
    working credential."""

    retryable = True
    default_code = "upstream_auth_failed"


class UpstreamBadResponse(ProviderError):
    """A redirect, or a body that is not what the protocol promises."""

    retryable = True
    default_code = "upstream_bad_response"


class UpstreamResponseTooLarge(ProviderError):
    # Not retried: another target would be asked to generate the same oversized answer.
    default_code = "upstream_response_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"The upstream response exceeded the size limit of {limit} bytes.")


class UpstreamRejected(ProviderError):
    """Upstream refused the request itself (4xx): the same request fails everywhere, so it is
    not retried, and upstream's status and error are passed on."""

    default_code = "upstream_rejected"


class UnsupportedByProvider(ProviderError):
    """The target's protocol cannot serve this endpoint or parameter."""

    default_status = 400
    default_code = "unsupported_by_provider"
