"""Dependencies shared by the routers: the request session, the principal, paging parameters."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import BeforeValidator

from spacegate.api.routing import SessionDep
from spacegate.auth.dependencies import PrincipalDep
from spacegate.kit.cursors import CursorCodec
from spacegate.runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_cursors(request: Request) -> CursorCodec:
    return get_runtime(request).cursors


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
CursorsDep = Annotated[CursorCodec, Depends(get_cursors)]
Limit = Annotated[int, Query(ge=1, le=100, description="Page size (1-100).")]
After = Annotated[
    str | None,
    Query(
        max_length=512,
        description="Where the page starts: the previous page's `next_cursor`, or the `id` of the "
        "last item seen (the page continues right after it). Anything else is 400.",
    ),
]


def _iso_only(value: object) -> object:
    """Query datetimes are RFC 3339 strings; pydantic would also read ``0.5`` as a Unix time."""
    if isinstance(value, str) and not _ISO_START.match(value):
        raise ValueError("must be an RFC 3339 date-time, e.g. 2024-01-15T10:30:00Z")
    return value


_ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}")
#: A date-time query parameter (naive values are read as UTC by the services).
QueryDatetime = Annotated[datetime, BeforeValidator(_iso_only)]

__all__ = [
    "After",
    "CursorsDep",
    "Limit",
    "PrincipalDep",
    "QueryDatetime",
    "RuntimeDep",
    "SessionDep",
]
