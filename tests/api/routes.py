"""The app's route table, flattened: every (method, path) the app answers, with its endpoint."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

_PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    endpoint: Callable[..., Any] | None

    @property
    def params(self) -> list[str]:
        return _PARAM.findall(self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


#: The browser console: HTML pages behind a sign-in cookie, not API operations.
CONSOLE = "/console"


def operations(app: FastAPI, *, console: bool = False) -> list[Operation]:
    """Included routers are nested in ``app.routes``; this walks them as the router does.
    The API's operations, or (``console=True``) the console's pages."""
    ops: dict[tuple[str, str], Operation] = {}
    for ctx in iter_route_contexts(app.routes):
        path, methods = ctx.path, ctx.methods
        if path is None or methods is None or path.startswith(CONSOLE) != console:
            continue
        for method in sorted(methods - {"HEAD"}):
            ops.setdefault((method, path), Operation(method, path, ctx.endpoint))
    return sorted(ops.values(), key=lambda o: (o.path, o.method))


def fill(path: str, values: dict[str, str]) -> str:
    return _PARAM.sub(lambda m: values[m.group(1)], path)


def space_scoped(app: FastAPI) -> list[Operation]:
    """Routes that act in the caller's space (``X-Space-Id`` or a bound key), params or not."""
    from spacegate.auth.scope import get_space_scope

    scoped: set[tuple[str, str]] = set()
    for ctx in iter_route_contexts(app.routes):
        dependant = getattr(ctx.original_route, "dependant", None)
        if dependant is None or ctx.path is None or ctx.methods is None:
            continue
        stack = list(dependant.dependencies)
        while stack:
            dep = stack.pop()
            if dep.call is get_space_scope:
                scoped.update((m, ctx.path) for m in ctx.methods)
                break
            stack.extend(dep.dependencies)
    return [op for op in operations(app) if (op.method, op.path) in scoped]
