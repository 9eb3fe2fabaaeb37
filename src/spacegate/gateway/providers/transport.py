"""One upstream HTTP exchange over the caller's shared client, with every failure typed.

Redirects are never followed (a provider that redirects is misconfigured or hostile, and
following it is how SSRF filters get bypassed), the total time and the body size are capped, and
upstream error text is scrubbed of credentials before it is kept anywhere.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from typing import Any

import httpx
import orjson

from spacegate.gateway.providers.base import Upstream
from spacegate.gateway.providers.errors import (
    ProviderError,
    UpstreamAuthFailed,
    UpstreamBadResponse,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamResponseTooLarge,
    UpstreamServerError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from spacegate.gateway.providers.scrub import scrub
from spacegate.gateway.proxy import EXTENSION as PROXY_EXTENSION

#: Only this much of an error body is read: enough for any real error message.
ERROR_BODY_LIMIT = 64 * 1024
_MESSAGE_LIMIT = 1000


def deadline_for(upstream: Upstream) -> float:
    return asyncio.get_running_loop().time() + upstream.timeouts.total


async def open_response(
    client: httpx.AsyncClient,
    upstream: Upstream,
    url: str,
    *,
    headers: dict[str, str],
    content: bytes,
    deadline: float,
    params: dict[str, str] | None = None,
    stream: bool = False,
) -> httpx.Response:
    """POST and wait for a 2xx response's headers; anything else raises a ``ProviderError``.

    ``stream``: the answer must be an event stream. A 2xx with another body (a proxy's HTML page,
    a JSON answer to a streaming request) is refused here, before the client got a byte, so it
    becomes a clean 502 (or the next target) instead of a stream that is not one.
    """
    extra = upstream.config.get("headers")
    if isinstance(extra, dict):
        headers = {**{str(k): str(v) for k, v in extra.items()}, **headers}
    via = upstream.config.get("proxy_url")
    try:
        request = client.build_request(
            "POST",
            url,
            content=content,
            headers=headers,
            params=params,
            timeout=upstream.timeouts.for_httpx(),
            extensions={PROXY_EXTENSION: via} if via else None,
        )
        async with asyncio.timeout_at(deadline):
            response = await client.send(request, stream=True, follow_redirects=False)
    except (TimeoutError, httpx.TimeoutException):
        raise UpstreamTimeout("The upstream provider did not answer in time.") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        reason = scrub(str(exc), upstream.api_key)[:_MESSAGE_LIMIT]
        raise UpstreamUnavailable(f"Could not reach the upstream provider: {reason}") from None
    if 200 <= response.status_code < 300:
        if stream and not _is_event_stream(response):
            await response.aclose()
            raise UpstreamBadResponse(
                "The upstream provider answered a streaming request without an event stream."
            )
        return response
    try:
        body = await read_body(response, upstream, deadline, limit=ERROR_BODY_LIMIT, cut=True)
    except ProviderError:
        body = b""
    finally:
        await response.aclose()
    raise status_error(response.status_code, response.headers, body, upstream.api_key)


async def read_body(
    response: httpx.Response,
    upstream: Upstream,
    deadline: float,
    *,
    limit: int | None = None,
    cut: bool = False,
) -> bytes:
    """The whole body, at most ``limit`` bytes: beyond it, an error (or, with ``cut``, the
    first ``limit`` bytes, for error bodies we only want a message from)."""
    limit = upstream.max_response_bytes if limit is None else limit
    declared = response.headers.get("content-length")
    if not cut and declared and declared.isdigit() and int(declared) > limit:
        raise UpstreamResponseTooLarge(limit)
    parts: list[bytes] = []
    size = 0
    source = response.aiter_bytes()
    try:
        while True:
            try:
                async with asyncio.timeout_at(deadline):
                    chunk = await anext(source)
            except StopAsyncIteration:
                break
            size += len(chunk)
            if size > limit:
                if not cut:
                    raise UpstreamResponseTooLarge(limit)
                parts.append(chunk[: len(chunk) - (size - limit)])
                break
            parts.append(chunk)
    except (TimeoutError, httpx.TimeoutException):
        raise UpstreamTimeout("The upstream provider stopped responding in time.") from None
    except httpx.HTTPError:
        raise UpstreamUnavailable("The connection to the upstream provider broke off.") from None
    return b"".join(parts)


def _error_fields(body: bytes) -> tuple[str, str | None, str | None, str | None]:
    """(message, type, param, code) from OpenAI's, Anthropic's or a looser error body."""
    try:
        data: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body.decode("utf-8", "replace").strip(), None, None, None
    error = data.get("error", data) if isinstance(data, dict) else data
    if isinstance(error, dict):
        message = error.get("message") or error.get("detail") or ""
        if not isinstance(message, str):
            message = orjson.dumps(message).decode()

        def text(name: str) -> str | None:
            value = error.get(name)
            return value if isinstance(value, str) else None

        return message, text("type"), text("param"), text("code")
    return (error if isinstance(error, str) else orjson.dumps(error).decode()), None, None, None


def retry_after(headers: httpx.Headers) -> float | None:
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def status_error(
    status: int, headers: httpx.Headers, body: bytes, key: str | None
) -> ProviderError:
    message, error_type, param, code = _error_fields(body)
    message = scrub(message, key)[:_MESSAGE_LIMIT]
    if 300 <= status < 400:
        return UpstreamBadResponse(
            f"The upstream provider answered with a redirect ({status}), which is not followed.",
            upstream_status=status,
        )
    if status == 429:
        return UpstreamRateLimited(
            f"The upstream provider is rate limiting requests: {message}".rstrip(": "),
            retry_after=retry_after(headers),
            upstream_status=status,
        )
    if status in (401, 403):
        return UpstreamAuthFailed(
            f"The upstream provider refused the gateway's credential ({status}).",
            upstream_status=status,
        )
    if status == 408:
        return UpstreamTimeout("The upstream provider timed out.", upstream_status=status)
    if 400 <= status < 500:
        return UpstreamRejected(
            message or f"The upstream provider rejected the request ({status}).",
            status=status,
            code=scrub(code, key) if code else None,
            param=param,
            error_type=error_type,
            upstream_status=status,
        )
    return UpstreamServerError(
        f"The upstream provider failed ({status}): {message}".rstrip(": "),
        upstream_status=status,
    )


def _is_event_stream(response: httpx.Response) -> bool:
    kind: str = response.headers.get("content-type", "")
    return kind.split(";", 1)[0].strip().lower() == "text/event-stream"
