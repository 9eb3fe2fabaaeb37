"""The factory's buckets and compute in the client's space: connectors (files, schema scans),
the space's cluster (one per space, addressed without an id) and the background jobs.

The calls are built once (``CrudOps`` and the functions below); the sync and async classes only
run them."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import TypeAdapter

from spacegate.client._http import AsyncTransport, Id, Op, SyncTransport, dump, model, params
from spacegate.client.resources._crud import AsyncCrud, CrudOps, SyncCrud
from spacegate.wire.base import IdResponse
from spacegate.wire.factory.clusters import ClusterCreate, ClusterLive, ClusterRead, ClusterUpdate
from spacegate.wire.factory.connectors import ConnectorCreate, ConnectorRead, FileInfo, ScanStarted
from spacegate.wire.platform.jobs import JobRead

_CONNECTORS = CrudOps("/v1/connectors", ConnectorRead, ConnectorCreate, ConnectorCreate)
_FILES: TypeAdapter[list[FileInfo]] = TypeAdapter(list[FileInfo])
_CLUSTERS = "/v1/clusters"


def _files(connector_id: Id, prefix: str | None, limit: int | None) -> Op[list[FileInfo]]:
    def parse(r: httpx.Response) -> list[FileInfo]:
        return _FILES.validate_json(r.content)

    query = params(prefix=prefix, limit=limit)
    return Op("GET", f"/v1/connectors/{connector_id}/files", parse, query)


def _scan(connector_id: Id, files: list[str]) -> Op[ScanStarted]:
    path = f"/v1/connectors/{connector_id}/scan"
    return Op("POST", path, model(ScanStarted), body={"files": files})


def _live() -> Op[ClusterLive]:
    return Op("GET", _CLUSTERS, model(ClusterLive))


def _register(body: ClusterCreate | None, fields: dict[str, Any]) -> Op[ClusterRead]:
    request = body if body is not None else ClusterCreate.model_validate(fields)
    return Op("POST", _CLUSTERS, model(ClusterRead), body=dump(request))


def _change(body: ClusterUpdate | None, fields: dict[str, Any]) -> Op[ClusterRead]:
    request = body if body is not None else ClusterUpdate.model_validate(fields)
    return Op("PATCH", _CLUSTERS, model(ClusterRead), body=dump(request))


def _unregister() -> Op[IdResponse]:
    return Op("DELETE", _CLUSTERS, model(IdResponse))


def _job(job_id: Id, action: str = "") -> Op[JobRead]:
    return Op("POST" if action else "GET", f"/v1/jobs/{job_id}{action}", model(JobRead))


class Connectors(SyncCrud[ConnectorRead, ConnectorCreate, ConnectorCreate]):
    """``files`` lists the bucket's objects; ``scan`` starts a schema scan (a job)."""

    ops = _CONNECTORS

    def get(self, connector_id: Id) -> ConnectorRead:
        return self._t.run(_CONNECTORS.get(connector_id))

    def delete(self, connector_id: Id) -> None:
        self._t.run(_CONNECTORS.delete(connector_id))

    def files(
        self, connector_id: Id, *, prefix: str | None = None, limit: int | None = None
    ) -> list[FileInfo]:
        return self._t.run(_files(connector_id, prefix, limit))

    def scan(self, connector_id: Id, files: list[str]) -> ScanStarted:
        return self._t.run(_scan(connector_id, files))


class Clusters:
    """The space's Ray cluster: ``get`` reads it live (nodes, resources, what it serves)."""

    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def get(self) -> ClusterLive:
        return self._t.run(_live())

    def register(self, body: ClusterCreate | None = None, /, **fields: Any) -> ClusterRead:
        return self._t.run(_register(body, fields))

    def update(self, body: ClusterUpdate | None = None, /, **fields: Any) -> ClusterRead:
        return self._t.run(_change(body, fields))

    def delete(self) -> IdResponse:
        return self._t.run(_unregister())


class Jobs:
    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def get(self, job_id: Id) -> JobRead:
        return self._t.run(_job(job_id))

    def cancel(self, job_id: Id) -> JobRead:
        return self._t.run(_job(job_id, "/cancel"))

    def retry(self, job_id: Id) -> JobRead:
        return self._t.run(_job(job_id, "/retry"))


class AsyncConnectors(AsyncCrud[ConnectorRead, ConnectorCreate, ConnectorCreate]):
    """``files`` lists the bucket's objects; ``scan`` starts a schema scan (a job)."""

    ops = _CONNECTORS

    async def get(self, connector_id: Id) -> ConnectorRead:
        return await self._t.run(_CONNECTORS.get(connector_id))

    async def delete(self, connector_id: Id) -> None:
        await self._t.run(_CONNECTORS.delete(connector_id))

    async def files(
        self, connector_id: Id, *, prefix: str | None = None, limit: int | None = None
    ) -> list[FileInfo]:
        return await self._t.run(_files(connector_id, prefix, limit))

    async def scan(self, connector_id: Id, files: list[str]) -> ScanStarted:
        return await self._t.run(_scan(connector_id, files))


class AsyncClusters:
    """The space's Ray cluster: ``get`` reads it live (nodes, resources, what it serves)."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    async def get(self) -> ClusterLive:
        return await self._t.run(_live())

    async def register(self, body: ClusterCreate | None = None, /, **fields: Any) -> ClusterRead:
        return await self._t.run(_register(body, fields))

    async def update(self, body: ClusterUpdate | None = None, /, **fields: Any) -> ClusterRead:
        return await self._t.run(_change(body, fields))

    async def delete(self) -> IdResponse:
        return await self._t.run(_unregister())


class AsyncJobs:
    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    async def get(self, job_id: Id) -> JobRead:
        return await self._t.run(_job(job_id))

    async def cancel(self, job_id: Id) -> JobRead:
        return await self._t.run(_job(job_id, "/cancel"))

    async def retry(self, job_id: Id) -> JobRead:
        return await self._t.run(_job(job_id, "/retry"))
