"""Dependencies shared by the routers: the request session, the principal, paging parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

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
    str | None, Query(max_length=512, description="Cursor from the previous page's `next_cursor`.")
]

__all__ = ["After", "CursorsDep", "Limit", "PrincipalDep", "RuntimeDep", "SessionDep"]
