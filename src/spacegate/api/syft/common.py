"""Helpers of the syft surface's hand-written routes (the plain ones come from ``crud_router``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

from spacegate.api.docs import AUTHED, errors
from spacegate.wire.base import ErrorResponse

_MORE = {
    429: "Rate limited by a policy: retry after `Retry-After` seconds.",
    501: "This server has no dataset search yet.",
    502: "The model failed or answered something unusable.",
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    out = errors(*AUTHED, *(c for c in codes if c not in _MORE))
    for c in codes:
        if c in _MORE:
            out[c] = {"model": ErrorResponse, "description": _MORE[c]}
    return out


def route(
    router: APIRouter, method: str, path: str, **kw: Any
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Seed 003 answers with and without the trailing slash (both documented)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        for p in ("/", "") if path == "" else (path, path + "/"):
            router.add_api_route(p, fn, methods=[method], **kw)
        return fn

    return register


def document_every_path(router: APIRouter) -> APIRouter:
    """``crud_router`` documents one of the two spellings of each path; the route table test
    wants every served path in the docs, so show the other too."""
    for r in router.routes:
        if isinstance(r, APIRoute):
            r.include_in_schema = True
    return router
