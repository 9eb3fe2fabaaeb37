"""``Idempotency-Key`` on inference calls: a client's retry after a timeout is safe for the bill.

The same key and body from the same API key replay the stored answer (a stream as the same SSE
bytes) with ``Idempotent-Replayed: true``: the provider is not called and nothing is metered
again. The same key still in flight answers 409, another body 422. The claims and answers are the
control plane's (``kit.idempotency``: the same table, sealing and retention), named per API key.

Only calls that send the header pay for this (two small writes); every other call takes the
gateway's path untouched. Only a successful answer is stored: after an error the claim is
released, so the retry calls the provider again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from spacegate.errors import AppError
from spacegate.gateway.errors import GatewayError
from spacegate.kit import idempotency
from spacegate.runtime import Runtime

if TYPE_CHECKING:
    from spacegate.auth.principal import Principal
    from spacegate.gateway.call import Call

log = logging.getLogger(__name__)

#: Header name as ``gateway_headers`` reports it.
HEADER = "idempotency-key"


def _lock_seconds(runtime: Runtime) -> int:
    # A call may take as long as the upstream's total timeout (a long stream): a retry must not
    # take over the claim of a call that is still running.
    from spacegate.gateway.providers.base import DEFAULT_TIMEOUTS

    return max(runtime.settings.idempotency_lock_seconds, int(DEFAULT_TIMEOUTS.total) + 60)


async def begin(
    runtime: Runtime, request: Request, principal: Principal, key: str
) -> idempotency.Claim:
    """Claim ``key`` for this caller's call; raise :class:`idempotency.Replay` with the stored
    answer, or a :class:`GatewayError` (400 bad key, 409 in flight, 422 other body)."""
    caller = str(principal.api_key_id or principal.user_id or "")
    try:
        key = idempotency.validate_key(key)
        scoped = "inference:" + hashlib.sha256(f"{caller}\n{key}".encode()).hexdigest()
        return await idempotency.claim(
            runtime,
            request,
            principal.org_id,
            scoped,
            caller=caller,
            lock_seconds=_lock_seconds(runtime),
        )
    except AppError as exc:
        raise GatewayError(
            exc.status_code,
            exc.message,
            code=exc.code,
            param="Idempotency-Key",
            headers=exc.headers,
        ) from None


async def release(runtime: Runtime, claim: idempotency.Claim) -> None:
    try:
        await asyncio.shield(claim.release(runtime))
    except Exception:  # the claim then expires by itself after its lock window
        log.warning("could not release an idempotency claim", exc_info=True)


async def _store(runtime: Runtime, claim: idempotency.Claim, response: Response) -> None:
    async def write() -> None:
        async with runtime.write_sessions() as session, session.begin():
            await idempotency.store(session, claim, response)

    try:
        await asyncio.shield(write())
    except Exception:
        log.warning("could not store an idempotent answer", exc_info=True)
        await release(runtime, claim)


#: Whether a stream that ran to its end was an answer to replay (given its chunks).
StreamOk = Callable[[list[bytes]], bool]


def call_ok(call: Call) -> StreamOk:
    """A gateway call's stream: ``call.status`` is set when the stream was metered, so an
    upstream error mid-stream (sent as an error event) is not an answer to replay."""
    return lambda _chunks: 200 <= call.status < 300


def done_ok(chunks: list[bytes]) -> bool:
    """A stream that says it is done with a last ``data: [DONE]`` event (a copilot turn)."""
    return bool(chunks) and chunks[-1].rstrip().endswith(b"[DONE]")


async def finish(
    runtime: Runtime, claim: idempotency.Claim, response: Response, stream_ok: StreamOk
) -> Response:
    """Store a successful answer for replay (a stream once it has ended well), else release."""
    if isinstance(response, StreamingResponse):
        response.body_iterator = _recording(runtime, claim, stream_ok, response.body_iterator)
        return response
    if 200 <= response.status_code < 300:
        await _store(runtime, claim, response)
    else:
        await release(runtime, claim)
    return response


async def _recording(
    runtime: Runtime,
    claim: idempotency.Claim,
    stream_ok: StreamOk,
    body: AsyncIterable[str | bytes | memoryview],
) -> AsyncIterator[bytes]:
    chunks: list[bytes] = []
    ended = False
    try:
        async for chunk in body:
            piece = chunk.encode() if isinstance(chunk, str) else bytes(chunk)
            chunks.append(piece)
            yield piece
        ended = True
    finally:
        if ended and stream_ok(chunks):
            stored = Response(b"".join(chunks), media_type="text/event-stream")
            await _store(runtime, claim, stored)
        else:
            await release(runtime, claim)
