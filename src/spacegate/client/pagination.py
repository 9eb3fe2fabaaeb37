"""Iterators over paged lists: one item at a time, fetching the next page only when needed.

Each API surface pages its own way, and a ``Pager`` hides which: the platform's ``after`` /
``next_cursor``, Aimable's ``cursor`` / ``meta.next_cursor``, MechaMental's ``cursor`` /
``next_cursor``, and the inference logs' page numbers. A resource hands the pager a function
from a cursor (``None`` for the first page) to the ``Op`` that fetches that page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from spacegate.client._http import AsyncTransport, Op, SyncTransport, params
from spacegate.client.errors import SpacegateError
from spacegate.wire.aimable.space_models import AllowedModelList
from spacegate.wire.base import ListResponse
from spacegate.wire.mechamental.schemas import EntitlementList
from spacegate.wire.platform.inference_logs import LogPage

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None


PageOp = Callable[[str | None], Op[Page[T]]]


def platform_page(item: type[T]) -> Callable[[httpx.Response], Page[T]]:
    adapter: TypeAdapter[ListResponse[Any]] = TypeAdapter(ListResponse[item])  # type: ignore[valid-type]

    def parse(r: httpx.Response) -> Page[T]:
        page = adapter.validate_json(r.content)
        return Page(page.data, page.next_cursor if page.has_more else None)

    return parse


def platform_list(path: str, item: type[T], limit: int) -> PageOp[T]:
    """A plain platform list (``GET path?limit=&after=``), ``limit`` items per page."""

    def fetch(cursor: str | None) -> Op[Page[T]]:
        return Op("GET", path, platform_page(item), params(limit=limit, after=cursor))

    return fetch


def aimable_page(r: httpx.Response) -> Page[Any]:
    page = AllowedModelList.model_validate_json(r.content)
    return Page(page.data, page.meta.next_cursor if page.meta.has_more else None)


def mechamental_page(r: httpx.Response) -> Page[Any]:
    page = EntitlementList.model_validate_json(r.content)
    return Page(page.entitlements, page.next_cursor if page.has_more else None)


def numbered_page(r: httpx.Response) -> Page[Any]:
    """Pages addressed by number (the inference logs): the cursor is the next page's number."""
    page = LogPage.model_validate_json(r.content)
    return Page(page.data, str(page.next_page) if page.next_page is not None else None)


def _check_progress(seen: set[str], cursor: str) -> None:
    # A server that hands back a cursor it already gave would loop forever; stop loudly instead.
    if cursor in seen:
        raise SpacegateError(f"the server returned cursor {cursor!r} twice; stopping")
    seen.add(cursor)


def _fresh(
    items: Sequence[T], unique: Callable[[T], object] | None, seen: set[object]
) -> Iterator[T]:
    for item in items:
        if unique is not None:
            ident = unique(item)
            if ident in seen:
                continue
            seen.add(ident)
        yield item


class SyncPager(Generic[T]):
    """``for item in pager``; ``pager.pages()`` for whole pages.

    ``unique`` names an item's identity for lists paged by offset (newest first), where a row
    inserted while iterating pushes the previous page's last item onto the next page: it is
    then skipped, so every item is seen once.
    """

    def __init__(
        self,
        transport: SyncTransport,
        fetch: PageOp[T],
        unique: Callable[[T], object] | None = None,
    ) -> None:
        self._transport = transport
        self._fetch = fetch
        self._unique = unique

    def pages(self) -> Iterator[Page[T]]:
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            page = self._transport.run(self._fetch(cursor))
            yield page
            if page.next_cursor is None:
                return
            _check_progress(seen, page.next_cursor)
            cursor = page.next_cursor

    def __iter__(self) -> Iterator[T]:
        seen: set[object] = set()
        for page in self.pages():
            yield from _fresh(page.items, self._unique, seen)

    def to_list(self) -> list[T]:
        return list(self)


class AsyncPager(Generic[T]):
    """``async for item in pager``; ``pager.pages()`` for whole pages."""

    def __init__(
        self,
        transport: AsyncTransport,
        fetch: PageOp[T],
        unique: Callable[[T], object] | None = None,
    ) -> None:
        self._transport = transport
        self._fetch = fetch
        self._unique = unique

    async def pages(self) -> AsyncIterator[Page[T]]:
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            page = await self._transport.run(self._fetch(cursor))
            yield page
            if page.next_cursor is None:
                return
            _check_progress(seen, page.next_cursor)
            cursor = page.next_cursor

    async def __aiter__(self) -> AsyncIterator[T]:
        seen: set[object] = set()
        async for page in self.pages():
            for item in _fresh(page.items, self._unique, seen):
                yield item

    async def to_list(self) -> list[T]:
        return [item async for item in self]


def numbered_list(path: str, item: type[T], size_param: str, size: int) -> PageOp[T]:
    """A seed 004 list paged by number (``page`` + ``page_size`` or ``pageSize``) answering
    ``{count, data, has_more}``: the cursor is the next page's number."""
    adapter: TypeAdapter[ListResponse[Any]] = TypeAdapter(ListResponse[item])  # type: ignore[valid-type]

    def fetch(cursor: str | None) -> Op[Page[T]]:
        page = int(cursor or 1)

        def parse(r: httpx.Response) -> Page[T]:
            got = adapter.validate_json(r.content)
            return Page(got.data, str(page + 1) if got.has_more else None)

        return Op("GET", path, parse, {size_param: size, "page": page})

    return fetch


class _Offset(BaseModel):
    items: list[Any]
    total: int


def offset_list(
    path: str, item: type[T], limit: int, skip_param: str = "skip", **filters: Any
) -> PageOp[T]:
    """``GET path?<skip_param>=&limit=`` → ``{items, total, ...}``; the cursor is the next
    offset (seed 003 names it ``skip``, its ingestion jobs ``offset``)."""
    adapter: TypeAdapter[list[T]] = TypeAdapter(list[item])  # type: ignore[valid-type]

    def fetch(cursor: str | None) -> Op[Page[T]]:
        skip = int(cursor or 0)

        def parse(r: httpx.Response) -> Page[T]:
            page = _Offset.model_validate_json(r.content)
            items = adapter.validate_python(page.items)
            more = bool(items) and skip + len(items) < page.total
            return Page(items, str(skip + len(items)) if more else None)

        return Op("GET", path, parse, {skip_param: skip, "limit": limit, **params(**filters)})

    return fetch
