"""The request unit of work.

Every control-plane route runs inside ``UnitOfWorkRoute``: one session per request, committed
after the handler returned and *before* the response is sent (so a failed commit becomes an
error response, never a success that was not saved), rolled back on any error. POST routes honour
``Idempotency-Key``; the stored response is written in the same transaction as the work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.params import Depends as DependsParam
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.dependencies import PrincipalDep, attribute_changes
from spacegate.errors import BadRequest
from spacegate.kit import idempotency
from spacegate.runtime import Runtime

log = logging.getLogger(__name__)
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
_KEY_DOC = "Makes the request safe to retry: the first response is stored and replayed for 24 h."


async def _claim(request: Request, principal: PrincipalDep, key: str | None) -> None:
    if key is None:
        return
    runtime: Runtime = request.app.state.runtime
    request.state.idempotency = await idempotency.claim(
        runtime, request, principal.org_id, key, caller=str(principal.api_key_id)
    )


# No ``max_length`` on these headers: FastAPI would answer 422 for an over-long key, while every
# other malformed key is a 400 ``invalid_idempotency_key`` (``idempotency.validate_key``).
async def idempotency_optional(
    request: Request,
    principal: PrincipalDep,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", description=_KEY_DOC)
    ] = None,
) -> None:
    await _claim(request, principal, idempotency_key)


async def idempotency_required(
    request: Request,
    principal: PrincipalDep,
    idempotency_key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", description=_KEY_DOC + " Required."),
    ] = None,
) -> None:
    if idempotency_key is None:
        raise BadRequest(
            "The Idempotency-Key header is required on this request.",
            code="idempotency_key_required",
        )
    await _claim(request, principal, idempotency_key)


async def no_idempotency() -> None:
    """Marks a POST that runs without a caller identity (e.g. accepting an invitation)."""


IdempotencyRequired = Depends(idempotency_required)
NoIdempotency = Depends(no_idempotency)


def get_session(request: Request) -> AsyncSession:
    session: AsyncSession = request.state.session
    return session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


class UnitOfWorkRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in (kwargs.get("methods") or ())}
        deps: list[DependsParam] = list(kwargs.get("dependencies") or [])
        marks = (idempotency_optional, idempotency_required, no_idempotency)
        if "POST" in methods and not any(d.dependency in marks for d in deps):
            deps.append(Depends(idempotency_optional))
        kwargs["dependencies"] = deps
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def unit_of_work(request: Request) -> Response:
            runtime: Runtime = request.app.state.runtime
            if request.headers.get("content-type", "").startswith("multipart/"):
                # FastAPI parses a form before the dependencies run, which would consume the
                # stream the Idempotency-Key fingerprint reads: keep the bytes for both.
                await request.body()
            sessions = runtime.read_sessions if request.method in _SAFE else runtime.write_sessions
            async with sessions() as session:
                request.state.session = session
                # A principal resolved before this session existed (e.g. by a middleware) must
                # still be named as the actor of every change made in it.
                attribute_changes(request)
                try:
                    response = await handler(request)
                    claim = getattr(request.state, "idempotency", None)
                    if claim is not None:
                        if idempotency.is_storable(response):
                            await idempotency.store(session, claim, response)
                        elif not 200 <= response.status_code < 300:
                            raise _NotStored(response)
                        # else: a 2xx without a body to store (a stream): the work stands, the
                        # key is released below so a retry runs again rather than replaying.
                    await session.commit()
                except idempotency.Replay as replay:
                    await session.rollback()
                    return replay.response
                except _NotStored as ns:
                    await session.rollback()
                    await _release(runtime, request)
                    return ns.response
                except BaseException:
                    await session.rollback()
                    await _release(runtime, request)
                    raise
                if claim is not None and not idempotency.is_storable(response):
                    await _release(runtime, request)
                return response

        return unit_of_work


async def _release(runtime: Runtime, request: Request) -> None:
    claim: idempotency.Claim | None = getattr(request.state, "idempotency", None)
    if claim is None:
        return
    try:
        await claim.release(runtime)
    except Exception:  # the claim then expires by itself after the lock window
        log.warning("could not release idempotency claim %s", claim.row_id, exc_info=True)


class _NotStored(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response
