"""Render errors for the control plane: ``{"detail": ..., "code": ...}``; never a stack trace."""

from __future__ import annotations

import logging
import math
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from spacegate.db.errors import refused_value
from spacegate.errors import AppError

log = logging.getLogger(__name__)

_UNAVAILABLE = {"Retry-After": "5"}


def app_error_response(exc: AppError) -> JSONResponse:
    body: dict[str, object] = {"detail": exc.message, "code": exc.code, **exc.extra}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _app_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return app_error_response(exc)


def finite_json(value: Any) -> Any:
    """``value`` (plain JSON data) with every non-finite float spelled as a string.

    Python's ``json`` reads ``1e400`` as ``inf`` and accepts ``NaN``/``Infinity``, and a rejected
    value is echoed back as the error's ``input``; ``JSONResponse`` refuses to write those (JSON has
    no such numbers), which would turn a 422 into a 500. They are written as ``"Infinity"``,
    ``"-Infinity"`` and ``"NaN"``; everything else is returned as it is.
    """
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite_json(v) for v in value]
    return value


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's own 422 (``{"detail": [pydantic's errors]}``), safe for non-finite inputs."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        status_code=422, content={"detail": finite_json(jsonable_encoder(exc.errors()))}
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette names only the first route that matched the path; a path served by several
        # routes (GET here, PATCH there) must list every method it accepts.
        headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
    return JSONResponse(
        {"detail": exc.detail, "code": codes.get(exc.status_code, "http_error")},
        status_code=exc.status_code,
        headers=headers,
    )


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every documented method for ``path``; a literal route (``/v1/users/me``) wins over a
    template that also matches it (``/v1/users/{id}``), as it does when routing."""
    table: list[tuple[str, re.Pattern[str], frozenset[str]]] | None = getattr(
        app.state, "allow_table", None
    )
    if table is None:
        table = [
            (ctx.path, compile_path(ctx.path)[0], frozenset(ctx.methods))
            for ctx in iter_route_contexts(app.routes)
            if ctx.path is not None and ctx.methods is not None and ctx.include_in_schema
        ]
        app.state.allow_table = table
    literal = [m for p, _, m in table if p == path]
    matching = literal or [m for _, pattern, m in table if pattern.match(path)]
    return sorted(set().union(*matching)) if matching else []


async def _integrity_error(_request: Request, _exc: Exception) -> JSONResponse:
    log.info("integrity error answered as 409", exc_info=True)
    return JSONResponse(
        {
            "detail": "The request conflicts with the current state of a resource.",
            "code": "conflict",
        },
        status_code=409,
    )


async def _db_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, DBAPIError) and refused_value(exc):
        # A value the database will not take or search for (e.g. a NUL character on
        # PostgreSQL): the request is at fault, not the database.
        log.info("value refused by the database answered as 400", exc_info=True)
        return JSONResponse(
            {
                "detail": "A value in the request cannot be stored or searched "
                "(for example, it contains a NUL character).",
                "code": "invalid_value",
            },
            status_code=400,
        )
    log.error("database unavailable", exc_info=True)
    return JSONResponse(
        {"detail": "The database is unavailable; retry shortly.", "code": "database_unavailable"},
        status_code=503,
        headers=_UNAVAILABLE,
    )


async def _unexpected(_request: Request, _exc: Exception) -> JSONResponse:
    log.exception("unhandled error")
    return JSONResponse(
        {"detail": "Internal server error.", "code": "internal_error"},
        status_code=500,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(OperationalError, _db_unavailable)
    app.add_exception_handler(DBAPIError, _db_unavailable)
    app.add_exception_handler(PoolTimeout, _db_unavailable)
    app.add_exception_handler(ConnectionError, _db_unavailable)
    app.add_exception_handler(Exception, _unexpected)
