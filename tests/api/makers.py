"""Real objects of the product areas for the cross-org matrices, one maker per path key.

A product area registers, in its own module (``tests/api/makers_<area>.py``, imported below),
how to make one real object of each of its resources in org A's space, and a valid body for the
routes that need one. ``isolation.PARAMS`` and ``isolation.BODIES`` read them from here.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from spacegate.runtime import Runtime

if TYPE_CHECKING:
    from tests.api.isolation import OrgObjects

Make = Callable[[httpx.AsyncClient, Runtime, "OrgObjects"], Awaitable[str]]
Body = Callable[["OrgObjects"], dict[str, Any]]


@dataclass
class _Registry:
    makers: dict[str, Make]
    bodies: dict[str, Body]
    #: Route -> (statuses the valid body may get here, why not a 2xx).
    expected: dict[str, tuple[tuple[int, ...], str]]


_REGISTRY = _Registry({}, {}, {})
AREAS = (
    "tests.api.makers_platform",
    "tests.api.makers_clusters",
    "tests.api.makers_copilot",
    "tests.api.makers_factory",
    "tests.api.makers_rag",
    "tests.api.makers_syft",
)


def maker(key: str) -> Callable[[Make], Make]:
    """``key``: the path up to the parameter (``/v1/experts/{id}``) or the parameter's name."""

    def register(fn: Make) -> Make:
        _REGISTRY.makers[key] = fn
        return fn

    return register


def body(route: str, make: Body, *, outside: tuple[tuple[int, ...], str] | None = None) -> None:
    """A valid body for ``"METHOD path"``. ``outside``: for a route whose success needs a
    service the matrices do not run (a live Ray cluster), the statuses its valid body gets
    without one, and why; its own tests show the success."""
    _REGISTRY.bodies[route] = make
    if outside is not None:
        _REGISTRY.expected[route] = outside


def _load() -> _Registry:
    for name in AREAS:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return _REGISTRY


def params() -> dict[str, Callable[[OrgObjects], str]]:
    def pick(key: str) -> Callable[[OrgObjects], str]:
        return lambda o: o.extra[key]

    return {key: pick(key) for key in _load().makers}


def bodies() -> dict[str, Body]:
    return dict(_load().bodies)


def expected_statuses(route: str) -> tuple[int, ...] | None:
    found = _load().expected.get(route)
    return found[0] if found else None


def space_headers(objects: OrgObjects) -> dict[str, str]:
    return {**objects.org.headers, "X-Space-Id": objects.space_id}


async def make_all(client: httpx.AsyncClient, runtime: Runtime, objects: OrgObjects) -> None:
    """Make every registered object, in registration order (a maker may use earlier ones)."""
    for key, make in _load().makers.items():
        objects.extra[key] = await make(client, runtime, objects)


async def created(r: httpx.Response) -> str:
    assert r.status_code == 201, r.text
    return str(r.json()["id"])
