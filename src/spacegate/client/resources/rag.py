"""Seed 003's endpoints and policies of the client's space (``space_id=`` of the client, or a
key bound to a space), paged by ``skip`` + ``limit``; ``endpoints.query`` asks an endpoint."""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from spacegate.client._http import AsyncTransport, Id, Op, SyncTransport, dump, model, nothing
from spacegate.client.pagination import AsyncPager, SyncPager, offset_list
from spacegate.wire.syft.endpoints import EndpointCreate, EndpointRead, EndpointUpdate
from spacegate.wire.syft.policies import PolicyCreate, PolicyRead, PolicyUpdate

T = TypeVar("T")
Messages = list[dict[str, Any]] | str


def _json(r: httpx.Response) -> dict[str, Any]:
    answer: dict[str, Any] = r.json()
    return answer


_EP = "/api/v1/endpoints"
_POL = "/api/v1/policies"


def _create(path: str, read: type[T], request: BaseModel, key: str | None) -> Op[T]:
    return Op("POST", f"{path}/", model(read), body=dump(request), idempotency_key=key)


def _query(slug: str, messages: Messages, fields: dict[str, Any]) -> Op[dict[str, Any]]:
    body = {k: v for k, v in fields.items() if v is not None}
    return Op("POST", f"{_EP}/{slug}/query", _json, body={**body, "messages": messages})


class Endpoints:
    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def list(
        self, *, page_size: int = 100, published: bool | None = None
    ) -> SyncPager[EndpointRead]:
        return SyncPager(
            self._t, offset_list(_EP + "/", EndpointRead, page_size, published=published)
        )

    def create(self, *, idempotency_key: str | None = None, **fields: Any) -> EndpointRead:
        request = EndpointCreate.model_validate(fields)
        return self._t.run(_create(_EP, EndpointRead, request, idempotency_key))

    def get(self, slug: str) -> EndpointRead:
        return self._t.run(Op("GET", f"{_EP}/{slug}", model(EndpointRead)))

    def update(self, slug: str, **fields: Any) -> EndpointRead:
        body = dump(EndpointUpdate.model_validate(fields))
        return self._t.run(Op("PATCH", f"{_EP}/{slug}", model(EndpointRead), body=body))

    def delete(self, slug: str) -> None:
        self._t.run(Op("DELETE", f"{_EP}/{slug}", nothing))

    def publish(self, slug: str) -> EndpointRead:
        return self._t.run(Op("POST", f"{_EP}/{slug}/publish", model(EndpointRead)))

    def unpublish(self, slug: str) -> EndpointRead:
        return self._t.run(Op("DELETE", f"{_EP}/{slug}/unpublish", model(EndpointRead)))

    def query(self, slug: str, messages: Messages, **fields: Any) -> dict[str, Any]:
        """``fields``: ``similarity_threshold``, ``limit``, ``max_tokens``, ``temperature`` ..."""
        return self._t.run(_query(slug, messages, fields))


class AsyncEndpoints:
    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    def list(
        self, *, page_size: int = 100, published: bool | None = None
    ) -> AsyncPager[EndpointRead]:
        return AsyncPager(
            self._t, offset_list(_EP + "/", EndpointRead, page_size, published=published)
        )

    async def create(self, *, idempotency_key: str | None = None, **fields: Any) -> EndpointRead:
        request = EndpointCreate.model_validate(fields)
        return await self._t.run(_create(_EP, EndpointRead, request, idempotency_key))

    async def get(self, slug: str) -> EndpointRead:
        return await self._t.run(Op("GET", f"{_EP}/{slug}", model(EndpointRead)))

    async def update(self, slug: str, **fields: Any) -> EndpointRead:
        body = dump(EndpointUpdate.model_validate(fields))
        return await self._t.run(Op("PATCH", f"{_EP}/{slug}", model(EndpointRead), body=body))

    async def delete(self, slug: str) -> None:
        await self._t.run(Op("DELETE", f"{_EP}/{slug}", nothing))

    async def publish(self, slug: str) -> EndpointRead:
        return await self._t.run(Op("POST", f"{_EP}/{slug}/publish", model(EndpointRead)))

    async def unpublish(self, slug: str) -> EndpointRead:
        return await self._t.run(Op("DELETE", f"{_EP}/{slug}/unpublish", model(EndpointRead)))

    async def query(self, slug: str, messages: Messages, **fields: Any) -> dict[str, Any]:
        return await self._t.run(_query(slug, messages, fields))


class Policies:
    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def list(self, *, page_size: int = 100, endpoint_id: Id | None = None) -> SyncPager[PolicyRead]:
        ep = str(endpoint_id) if endpoint_id is not None else None
        return SyncPager(self._t, offset_list(f"{_POL}/", PolicyRead, page_size, endpoint_id=ep))

    def create(self, *, idempotency_key: str | None = None, **fields: Any) -> PolicyRead:
        request = PolicyCreate.model_validate(fields)
        return self._t.run(_create(_POL, PolicyRead, request, idempotency_key))

    def get(self, policy_id: Id) -> PolicyRead:
        return self._t.run(Op("GET", f"{_POL}/{policy_id}", model(PolicyRead)))

    def update(self, policy_id: Id, **fields: Any) -> PolicyRead:
        body = dump(PolicyUpdate.model_validate(fields))
        return self._t.run(Op("PATCH", f"{_POL}/{policy_id}", model(PolicyRead), body=body))

    def delete(self, policy_id: Id) -> None:
        self._t.run(Op("DELETE", f"{_POL}/{policy_id}", nothing))


class AsyncPolicies:
    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    def list(
        self, *, page_size: int = 100, endpoint_id: Id | None = None
    ) -> AsyncPager[PolicyRead]:
        ep = str(endpoint_id) if endpoint_id is not None else None
        return AsyncPager(self._t, offset_list(f"{_POL}/", PolicyRead, page_size, endpoint_id=ep))

    async def create(self, *, idempotency_key: str | None = None, **fields: Any) -> PolicyRead:
        request = PolicyCreate.model_validate(fields)
        return await self._t.run(_create(_POL, PolicyRead, request, idempotency_key))

    async def get(self, policy_id: Id) -> PolicyRead:
        return await self._t.run(Op("GET", f"{_POL}/{policy_id}", model(PolicyRead)))

    async def update(self, policy_id: Id, **fields: Any) -> PolicyRead:
        body = dump(PolicyUpdate.model_validate(fields))
        return await self._t.run(Op("PATCH", f"{_POL}/{policy_id}", model(PolicyRead), body=body))

    async def delete(self, policy_id: Id) -> None:
        await self._t.run(Op("DELETE", f"{_POL}/{policy_id}", nothing))
