"""Seed 003 answers every path with and without its trailing slash, without a redirect (a
redirect would make clients drop a POST's body)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.convertors import Convertor, register_url_convertor


def both(router: APIRouter, method: str, path: str, **kw: Any) -> Callable[[Any], Any]:
    """Serve ``path`` and its twin (with or without the slash); the docs show ``path``."""
    twin = path[:-1] if path.endswith("/") else path + "/"

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        router.add_api_route(path, fn, methods=[method], **kw)
        router.add_api_route(twin, fn, methods=[method], include_in_schema=False, **kw)
        return fn

    return register


class DatasetName(Convertor[str]):
    """A dataset name in a path, never ``types``: ``/api/v1/datasets/types/`` is the types
    list, so other methods on it answer 405 rather than look for a dataset called so."""

    regex = r"(?!types(?:/|$))[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("dataset_name", DatasetName())
