"""Helpers of the syft surface's hand-written routes (the plain ones come from ``crud_router``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

from spacegate.api.docs import AUTHED, errors
from spacegate.api.schemas import ErrorResponse

_MORE = {
    422: "Validation error: the field and what is wrong with it.",
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
    """Seed 003 answers with and without the trailing slash; the docs show one."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        variants = [("/", True), ("", False)] if path == "" else [(path, True), (path + "/", False)]
        for p, shown in variants:
            router.add_api_route(p, fn, methods=[method], include_in_schema=shown, **kw)
        return fn

    return register
