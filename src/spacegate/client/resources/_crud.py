"""The calls every plain registry resource makes (list, create, get, update, delete), described
once and parametrised by the resource's path and schemas.

``create`` and ``update`` take the server's own request model, or its fields as keywords
(validated by that model before anything is sent); in ``update`` only the fields given change.
The sync and async resource classes share ``list`` and ``create`` from here and spell out the
calls that take an id themselves, so each keeps its own parameter names and documentation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from spacegate.client._http import AsyncTransport, Id, Op, SyncTransport, dump, model, nothing
from spacegate.client.pagination import AsyncPager, PageOp, SyncPager, platform_list

R = TypeVar("R")
C = TypeVar("C", bound=BaseModel)
U = TypeVar("U", bound=BaseModel)


@dataclass(frozen=True)
class CrudOps(Generic[R, C, U]):
    path: str
    read: type[R]
    create_model: type[C]
    update_model: type[U]

    def list(self, limit: int) -> PageOp[R]:
        return platform_list(self.path, self.read, limit)

    def create(self, body: C | None, fields: dict[str, Any], key: str | None) -> Op[R]:
        request = body if body is not None else self.create_model.model_validate(fields)
        return Op("POST", self.path, model(self.read), body=dump(request), idempotency_key=key)

    def get(self, ident: Id) -> Op[R]:
        return Op("GET", f"{self.path}/{ident}", model(self.read))

    def update(self, ident: Id, body: U | None, fields: dict[str, Any]) -> Op[R]:
        request = body if body is not None else self.update_model.model_validate(fields)
        return Op("PATCH", f"{self.path}/{ident}", model(self.read), body=dump(request))

    def delete(self, ident: Id, params: dict[str, Any] | None = None) -> Op[None]:
        return Op("DELETE", f"{self.path}/{ident}", nothing, params)


class SyncCrud(Generic[R, C, U]):
    ops: CrudOps[R, C, U]

    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def list(self, *, page_size: int = 50) -> SyncPager[R]:
        return SyncPager(self._t, self.ops.list(page_size))

    def create(
        self, body: C | None = None, /, *, idempotency_key: str | None = None, **fields: Any
    ) -> R:
        return self._t.run(self.ops.create(body, fields, idempotency_key))


class AsyncCrud(Generic[R, C, U]):
    ops: CrudOps[R, C, U]

    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    def list(self, *, page_size: int = 50) -> AsyncPager[R]:
        return AsyncPager(self._t, self.ops.list(page_size))

    async def create(
        self, body: C | None = None, /, *, idempotency_key: str | None = None, **fields: Any
    ) -> R:
        return await self._t.run(self.ops.create(body, fields, idempotency_key))
