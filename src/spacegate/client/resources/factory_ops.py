"""The factory's buckets and compute in the client's space: connectors (files, schema scans),
the space's cluster (one per space, addressed without an id) and the background jobs."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from spacegate.client._http import Id, Op, dump, model, params
from spacegate.client.resources._crud import CrudOps, SyncCrud
from spacegate.wire.base import IdResponse
from spacegate.wire.factory.clusters import ClusterCreate, ClusterLive, ClusterRead, ClusterUpdate
from spacegate.wire.factory.connectors import ConnectorCreate, ConnectorRead, FileInfo, ScanStarted
from spacegate.wire.platform.jobs import JobRead

_CONNECTORS = CrudOps("/v1/connectors", ConnectorRead, ConnectorCreate, ConnectorCreate)
_FILES: TypeAdapter[list[FileInfo]] = TypeAdapter(list[FileInfo])


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
        path = f"/v1/connectors/{connector_id}/files"
        query = params(prefix=prefix, limit=limit)
        return self._t.run(Op("GET", path, lambda r: _FILES.validate_json(r.content), query))

    def scan(self, connector_id: Id, files: list[str]) -> ScanStarted:
        path = f"/v1/connectors/{connector_id}/scan"
        return self._t.run(Op("POST", path, model(ScanStarted), body={"files": files}))


class Clusters:
    """The space's Ray cluster: ``get`` reads it live (nodes, resources, what it serves)."""

    def __init__(self, transport: Any) -> None:
        self._t = transport

    def get(self) -> ClusterLive:
        return self._t.run(Op("GET", "/v1/clusters", model(ClusterLive)))  # type: ignore[no-any-return]

    def register(self, body: ClusterCreate | None = None, /, **fields: Any) -> ClusterRead:
        request = body if body is not None else ClusterCreate.model_validate(fields)
        op = Op("POST", "/v1/clusters", model(ClusterRead), body=dump(request))
        return self._t.run(op)  # type: ignore[no-any-return]

    def update(self, body: ClusterUpdate | None = None, /, **fields: Any) -> ClusterRead:
        request = body if body is not None else ClusterUpdate.model_validate(fields)
        op = Op("PATCH", "/v1/clusters", model(ClusterRead), body=dump(request))
        return self._t.run(op)  # type: ignore[no-any-return]

    def delete(self) -> IdResponse:
        return self._t.run(Op("DELETE", "/v1/clusters", model(IdResponse)))  # type: ignore[no-any-return]


class Jobs:
    def __init__(self, transport: Any) -> None:
        self._t = transport

    def get(self, job_id: Id) -> JobRead:
        return self._t.run(Op("GET", f"/v1/jobs/{job_id}", model(JobRead)))  # type: ignore[no-any-return]

    def cancel(self, job_id: Id) -> JobRead:
        op = Op("POST", f"/v1/jobs/{job_id}/cancel", model(JobRead))
        return self._t.run(op)  # type: ignore[no-any-return]

    def retry(self, job_id: Id) -> JobRead:
        op = Op("POST", f"/v1/jobs/{job_id}/retry", model(JobRead))
        return self._t.run(op)  # type: ignore[no-any-return]
