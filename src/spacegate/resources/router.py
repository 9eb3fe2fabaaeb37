# The handlers' parameter types are made at run time (the resource's own schemas), which mypy
# cannot follow as types; FastAPI validates them.
# mypy: disable-error-code="valid-type, attr-defined, misc, assignment"
"""``crud_router``: the five routes of a plain resource, in the dialect its seed writes.

No ``from __future__ import annotations`` here: the handlers are made in a closure and FastAPI
reads their parameter types from the live annotations.
"""

import uuid
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from spacegate.api.deps import CursorsDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.auth.scope import SpaceScopeDep
from spacegate.resources.service import ResourceService
from spacegate.resources.spec import Paging
from spacegate.wire.base import IdResponse, ListResponse, RequestModel, ResponseModel

T = TypeVar("T")
Svc = Callable[[SessionDep, SpaceScopeDep, CursorsDep], ResourceService[Any]]

OPS = ("list", "create", "get", "update", "delete")


class OffsetList(BaseModel, Generic[T]):
    """Seed 003's list shape."""

    items: list[T]
    total: int = Field(description="Items in the whole list.")
    skip: int
    limit: int


class NoFilters(BaseModel):
    pass


def service_dependency(service: type[ResourceService[Any]]) -> Svc:
    def make(
        session: SessionDep, scope: SpaceScopeDep, cursors: CursorsDep
    ) -> ResourceService[Any]:
        return service(session, scope, cursors)

    make.__name__ = f"{service.__name__}_dep"
    return make


def crud_router(
    service: type[ResourceService[Any]],
    *,
    prefix: str,
    tag: str,
    create: type[RequestModel] | None,
    update: type[RequestModel] | None,
    read: type[ResponseModel],
    filters: type[BaseModel] = NoFilters,
    ops: Sequence[str] = OPS,
    trailing_slash: bool = False,
    to_read: Callable[[Any], Any] | None = None,
    router: APIRouter | None = None,
) -> APIRouter:
    """Serve ``ops`` of ``service``'s resource under ``prefix``. ``to_read`` converts a row to
    its wire shape (default ``read.model_validate``); ``filters`` are the list's query fields."""
    spec = service.spec
    label = spec.label
    router = router or APIRouter(prefix=prefix, tags=[tag], route_class=UnitOfWorkRoute)
    SvcDep = Annotated[ResourceService[Any], Depends(service_dependency(service))]
    convert = to_read or read.model_validate
    key_type: Any = uuid.UUID if spec.key == "id" else str
    Key = Annotated[key_type, Path(alias=spec.key, description=f"{label} {spec.key}")]
    id_path = "/{" + spec.key + "}"

    def paths(path: str) -> list[tuple[str, bool]]:
        """(path, shown in the docs): seed 003 answers with and without the trailing slash."""
        if not trailing_slash:
            return [(path, True)]
        return (
            [(path + "/", True), (path, False)]
            if path == ""
            else [(path, True), (path + "/", False)]
        )

    def route(method: str, path: str, **kw: Any) -> Callable[[Callable[..., Any]], Any]:
        def register(fn: Callable[..., Any]) -> Any:
            for p, shown in paths(path):
                router.add_api_route(p, fn, methods=[method], include_in_schema=shown, **kw)
            return fn

        return register

    if "list" in ops:
        _list_route(route, spec.paging, SvcDep, read, convert, filters, label, spec)

    if "create" in ops and create is not None:
        Create = create

        @route(
            "POST",
            "",
            status_code=201,
            summary=f"Create {label.lower()}",
            responses=errors(*AUTHED, 400, 404, 409),
            response_model=read,
        )
        async def create_item(body: Create, svc: SvcDep) -> Any:
            return convert(await svc.create(body.model_dump(exclude_unset=False)))

    if "get" in ops:

        @route(
            "GET",
            id_path,
            summary=f"Get {label.lower()}",
            responses=errors(*AUTHED, 404),
            response_model=read,
        )
        async def get_item(key: Key, svc: SvcDep) -> Any:
            return convert(await svc.get(key))

    if "update" in ops and update is not None:
        Update = update

        @route(
            "PATCH",
            id_path,
            summary=f"Update {label.lower()}",
            responses=errors(*AUTHED, 400, 404, 409),
            response_model=read,
        )
        async def update_item(key: Key, body: Update, svc: SvcDep) -> Any:
            return convert(await svc.update(key, body.model_dump(exclude_unset=True)))

    if "delete" in ops:

        @route("DELETE", id_path, summary=f"Delete {label.lower()}", responses=errors(*AUTHED, 404))
        async def delete_item(key: Key, svc: SvcDep) -> IdResponse:
            obj = await svc.delete(key)
            return IdResponse(id=str(obj.id))

    return router


def _list_route(
    route: Callable[..., Callable[[Callable[..., Any]], Any]],
    paging: Paging,
    SvcDep: Any,
    read: type[ResponseModel],
    convert: Callable[[Any], Any],
    filters: type[BaseModel],
    label: str,
    spec: Any,
) -> None:
    Filters = Annotated[filters, Query()]
    summary = f"Get all {label.lower()}s"
    resp = errors(*AUTHED, 400, 404)
    max_limit, default = spec.max_limit, spec.default_limit

    if paging is Paging.after:
        Limit = Annotated[int, Query(ge=1, le=max_limit, description=f"Page size (1-{max_limit}).")]
        After = Annotated[
            str | None,
            Query(max_length=512, description="The last item's id, or `next_cursor`."),
        ]

        @route("GET", "", summary=summary, responses=resp, response_model=ListResponse[read])
        async def list_after(
            svc: SvcDep, q: Filters, limit: Limit = default, after: After = None
        ) -> Any:
            page = await svc.list_after(limit=limit, after=after, **q.model_dump())
            data = [convert(o) for o in page.items]
            return ListResponse.of(data, page)

    elif paging is Paging.skip:
        Skip = Annotated[int, Query(ge=0, description="Items to skip.")]
        Limit = Annotated[
            int, Query(ge=1, le=max_limit, description=f"Items to return (1-{max_limit}).")
        ]

        @route("GET", "", summary=summary, responses=resp, response_model=OffsetList[read])
        async def list_skip(svc: SvcDep, q: Filters, skip: Skip = 0, limit: Limit = default) -> Any:
            rows, total = await svc.list_offset(offset=skip, limit=limit, **q.model_dump())
            return {
                "items": [convert(o) for o in rows],
                "total": total,
                "skip": skip,
                "limit": limit,
            }

    else:
        size_name = "pageSize" if paging is Paging.page_size_camel else "page_size"
        Size = Annotated[
            int,
            Query(alias=size_name, ge=1, le=max_limit, description=f"Page size (1-{max_limit})."),
        ]
        PageNo = Annotated[int, Query(ge=1, description="Page number, from 1.")]

        @route("GET", "", summary=summary, responses=resp, response_model=ListResponse[read])
        async def list_pages(
            svc: SvcDep, q: Filters, size: Size = default, page: PageNo = 1
        ) -> Any:
            rows, total = await svc.list_offset(
                offset=(page - 1) * size, limit=size, **q.model_dump()
            )
            data = [convert(o) for o in rows]
            return ListResponse(count=len(data), data=data, has_more=page * size < total)
