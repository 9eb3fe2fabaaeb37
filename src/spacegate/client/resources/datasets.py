"""Seed 003's datasets of the client's space (``space_id=`` of the client, or a key bound to a
space), addressed by name: create, list (``skip`` + ``limit``), update, delete; their types;
their documents (upload, list, delete, folder sync); search; and their ingestion (status, jobs,
start / stop / retry), which the server addresses by dataset id: those methods take the
dataset, its id or its name."""

from __future__ import annotations

import asyncio
import mimetypes
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Any, Literal, TypeVar

from pydantic import TypeAdapter

from spacegate.client._http import AsyncTransport, Id, Op, SyncTransport, dump, model
from spacegate.client.pagination import AsyncPager, Page, PageOp, SyncPager, offset_list
from spacegate.wire.base import IdResponse
from spacegate.wire.syft.datasets import (
    DatasetCreate,
    DatasetRead,
    DatasetType,
    DatasetUpdate,
    DocumentRead,
    IngestionJob,
    IngestionStatus,
    SearchRequest,
    SearchResponse,
    SyncRead,
)

T = TypeVar("T")
#: A file to upload: a path, its bytes (with ``filename=``) or an open binary file.
Upload = str | Path | bytes | IO[bytes]
#: A dataset for the ingestion calls: the dataset itself, its id, or its name.
DatasetRef = DatasetRead | uuid.UUID | str
JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
#: What ``wait_for_ingestion`` waits to leave.
INDEXING = "indexing"

_DS = "/api/v1/datasets"
_ING = "/api/v1/ingestion/datasets"
_TYPES: TypeAdapter[list[DatasetType]] = TypeAdapter(list[DatasetType])


def _file(file: Upload, filename: str | None, content_type: str | None) -> Any:
    if isinstance(file, str | Path):
        name, content = filename or Path(file).name, Path(file).read_bytes()
    elif isinstance(file, bytes):
        if filename is None:
            raise TypeError("upload(bytes) needs filename=")
        name, content = filename, file
    else:
        name, content = filename or Path(getattr(file, "name", "upload")).name, file.read()
    kind = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return [("file", (name, content, kind))]


def _is_id(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class _Ops:
    """The calls, described once for both clients."""

    @staticmethod
    def types() -> Op[list[DatasetType]]:
        return Op("GET", f"{_DS}/types/", lambda r: _TYPES.validate_json(r.content))

    @staticmethod
    def create(
        body: DatasetCreate | None, fields: dict[str, Any], key: str | None
    ) -> Op[DatasetRead]:
        request = body if body is not None else DatasetCreate.model_validate(fields)
        return Op("POST", f"{_DS}/", model(DatasetRead), body=dump(request), idempotency_key=key)

    @staticmethod
    def get(name: str) -> Op[DatasetRead]:
        return Op("GET", f"{_DS}/{name}", model(DatasetRead))

    @staticmethod
    def update(name: str, body: DatasetUpdate | None, fields: dict[str, Any]) -> Op[DatasetRead]:
        request = body if body is not None else DatasetUpdate.model_validate(fields)
        return Op("PATCH", f"{_DS}/{name}", model(DatasetRead), body=dump(request))

    @staticmethod
    def delete(name: str) -> Op[IdResponse]:
        return Op("DELETE", f"{_DS}/{name}", model(IdResponse))

    @staticmethod
    def upload(name: str, files: Any, key: str | None) -> Op[DocumentRead]:
        path = f"{_DS}/{name}/documents"
        return Op("POST", path, model(DocumentRead), files=files, idempotency_key=key)

    @staticmethod
    def documents(name: str, limit: int) -> PageOp[DocumentRead]:
        return offset_list(f"{_DS}/{name}/documents", DocumentRead, limit)

    @staticmethod
    def document(name: str, document_id: Id) -> Op[DocumentRead]:
        return Op("GET", f"{_DS}/{name}/documents/{document_id}", model(DocumentRead))

    @staticmethod
    def delete_document(name: str, document_id: Id) -> Op[IdResponse]:
        return Op("DELETE", f"{_DS}/{name}/documents/{document_id}", model(IdResponse))

    @staticmethod
    def sync(name: str) -> Op[SyncRead]:
        return Op("POST", f"{_DS}/{name}/sync", model(SyncRead))

    @staticmethod
    def search(name: str, query: str, limit: int, threshold: float) -> Op[SearchResponse]:
        request = SearchRequest(query=query, limit=limit, similarity_threshold=threshold)
        body = request.model_dump(mode="json")
        return Op("POST", f"{_DS}/{name}/search", model(SearchResponse), body=body)

    @staticmethod
    def status(dataset_id: str, action: str | None = None) -> Op[IngestionStatus]:
        if action is None:
            return Op("GET", f"{_ING}/{dataset_id}/status", model(IngestionStatus))
        return Op("POST", f"{_ING}/{dataset_id}/{action}", model(IngestionStatus))

    @staticmethod
    def jobs(dataset_id: str, status: str | None, limit: int) -> PageOp[IngestionJob]:
        path = f"{_ING}/{dataset_id}/jobs"
        return offset_list(path, IngestionJob, limit, "offset", status=status)


def _known_id(dataset: DatasetRef) -> str | None:
    if isinstance(dataset, DatasetRead):
        return str(dataset.id)
    if isinstance(dataset, uuid.UUID) or _is_id(dataset):
        return str(dataset)
    return None


class Datasets:
    """``upload`` queues the file's ingestion; ``wait_for_ingestion`` waits until no document
    of the dataset is queued or running."""

    def __init__(self, transport: SyncTransport) -> None:
        self._t = transport

    def types(self) -> list[DatasetType]:
        return self._t.run(_Ops.types())

    def list(self, *, page_size: int = 100) -> SyncPager[DatasetRead]:
        return SyncPager(self._t, offset_list(f"{_DS}/", DatasetRead, page_size))

    def create(
        self,
        body: DatasetCreate | None = None,
        /,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> DatasetRead:
        """``name``, ``dtype`` (``local_file``), ``configuration``, ``summary``, ``tags``."""
        return self._t.run(_Ops.create(body, fields, idempotency_key))

    def get(self, name: str) -> DatasetRead:
        return self._t.run(_Ops.get(name))

    def update(self, name: str, body: DatasetUpdate | None = None, /, **fields: Any) -> DatasetRead:
        return self._t.run(_Ops.update(name, body, fields))

    def delete(self, name: str) -> IdResponse:
        """The dataset goes with its documents, chunks, vectors and stored files."""
        return self._t.run(_Ops.delete(name))

    def upload(
        self,
        name: str,
        file: Upload,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        idempotency_key: str | None = None,
    ) -> DocumentRead:
        """Store a file in the dataset and queue its ingestion (a file of the same name
        replaces the earlier one)."""
        files = _file(file, filename, content_type)
        return self._t.run(_Ops.upload(name, files, idempotency_key))

    def documents(self, name: str, *, page_size: int = 100) -> SyncPager[DocumentRead]:
        return SyncPager(self._t, _Ops.documents(name, page_size))

    def document(self, name: str, document_id: Id) -> DocumentRead:
        return self._t.run(_Ops.document(name, document_id))

    def delete_document(self, name: str, document_id: Id) -> IdResponse:
        return self._t.run(_Ops.delete_document(name, document_id))

    def sync(self, name: str) -> SyncRead:
        """Bring the dataset in step with its server folder (``configuration.folder``)."""
        return self._t.run(_Ops.sync(name))

    def search(
        self, name: str, query: str, *, limit: int = 5, similarity_threshold: float = 0.0
    ) -> SearchResponse:
        return self._t.run(_Ops.search(name, query, limit, similarity_threshold))

    def _id(self, dataset: DatasetRef) -> str:
        known = _known_id(dataset)
        return known if known is not None else str(self.get(str(dataset)).id)

    def status(self, dataset: DatasetRef) -> IngestionStatus:
        return self._t.run(_Ops.status(self._id(dataset)))

    def jobs(
        self, dataset: DatasetRef, *, status: JobStatus | None = None, page_size: int = 100
    ) -> SyncPager[IngestionJob]:
        return SyncPager(self._t, _Ops.jobs(self._id(dataset), status, page_size))

    def start(self, dataset: DatasetRef) -> IngestionStatus:
        """Index every document again (after a change of model, say)."""
        return self._t.run(_Ops.status(self._id(dataset), "start"))

    def stop(self, dataset: DatasetRef) -> IngestionStatus:
        """Cancel the queued jobs; running ones stop at their next step."""
        return self._t.run(_Ops.status(self._id(dataset), "stop"))

    def retry(self, dataset: DatasetRef) -> IngestionStatus:
        """Queue the failed and cancelled documents again."""
        return self._t.run(_Ops.status(self._id(dataset), "retry"))

    def wait_for_ingestion(
        self, dataset: DatasetRef, *, within: float = 300.0, interval: float = 0.5
    ) -> IngestionStatus:
        """The status once nothing is queued or running (``TimeoutError`` after ``within`` s)."""
        ident, deadline = self._id(dataset), time.monotonic() + within
        while (got := self.status(ident)).status == INDEXING:
            if time.monotonic() >= deadline:
                raise TimeoutError(f"dataset {got.name} still indexing after {within}s")
            time.sleep(interval)
        return got


class AsyncDatasets:
    """``Datasets`` for asyncio: the same calls, awaited."""

    def __init__(self, transport: AsyncTransport) -> None:
        self._t = transport

    async def types(self) -> list[DatasetType]:
        return await self._t.run(_Ops.types())

    def list(self, *, page_size: int = 100) -> AsyncPager[DatasetRead]:
        return AsyncPager(self._t, offset_list(f"{_DS}/", DatasetRead, page_size))

    async def create(
        self,
        body: DatasetCreate | None = None,
        /,
        *,
        idempotency_key: str | None = None,
        **fields: Any,
    ) -> DatasetRead:
        return await self._t.run(_Ops.create(body, fields, idempotency_key))

    async def get(self, name: str) -> DatasetRead:
        return await self._t.run(_Ops.get(name))

    async def update(
        self, name: str, body: DatasetUpdate | None = None, /, **fields: Any
    ) -> DatasetRead:
        return await self._t.run(_Ops.update(name, body, fields))

    async def delete(self, name: str) -> IdResponse:
        return await self._t.run(_Ops.delete(name))

    async def upload(
        self,
        name: str,
        file: Upload,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        idempotency_key: str | None = None,
    ) -> DocumentRead:
        files = _file(file, filename, content_type)
        return await self._t.run(_Ops.upload(name, files, idempotency_key))

    def documents(self, name: str, *, page_size: int = 100) -> AsyncPager[DocumentRead]:
        return AsyncPager(self._t, _Ops.documents(name, page_size))

    async def document(self, name: str, document_id: Id) -> DocumentRead:
        return await self._t.run(_Ops.document(name, document_id))

    async def delete_document(self, name: str, document_id: Id) -> IdResponse:
        return await self._t.run(_Ops.delete_document(name, document_id))

    async def sync(self, name: str) -> SyncRead:
        return await self._t.run(_Ops.sync(name))

    async def search(
        self, name: str, query: str, *, limit: int = 5, similarity_threshold: float = 0.0
    ) -> SearchResponse:
        return await self._t.run(_Ops.search(name, query, limit, similarity_threshold))

    async def _id(self, dataset: DatasetRef) -> str:
        known = _known_id(dataset)
        return known if known is not None else str((await self.get(str(dataset))).id)

    async def status(self, dataset: DatasetRef) -> IngestionStatus:
        return await self._t.run(_Ops.status(await self._id(dataset)))

    def jobs(
        self, dataset: DatasetRef, *, status: JobStatus | None = None, page_size: int = 100
    ) -> AsyncPager[IngestionJob]:
        return _JobsPager(self, dataset, status, page_size)

    async def start(self, dataset: DatasetRef) -> IngestionStatus:
        return await self._t.run(_Ops.status(await self._id(dataset), "start"))

    async def stop(self, dataset: DatasetRef) -> IngestionStatus:
        return await self._t.run(_Ops.status(await self._id(dataset), "stop"))

    async def retry(self, dataset: DatasetRef) -> IngestionStatus:
        return await self._t.run(_Ops.status(await self._id(dataset), "retry"))

    async def wait_for_ingestion(
        self, dataset: DatasetRef, *, within: float = 300.0, interval: float = 0.5
    ) -> IngestionStatus:
        ident, deadline = await self._id(dataset), time.monotonic() + within
        while (got := await self.status(ident)).status == INDEXING:
            if time.monotonic() >= deadline:
                raise TimeoutError(f"dataset {got.name} still indexing after {within}s")
            await asyncio.sleep(interval)
        return got


def _unresolved(_cursor: str | None) -> Op[Page[IngestionJob]]:
    raise RuntimeError("the dataset's id is looked up when iterating starts")


class _JobsPager(AsyncPager[IngestionJob]):
    """The jobs of a dataset given by name: the name is looked up when iterating starts."""

    def __init__(
        self, owner: AsyncDatasets, dataset: DatasetRef, status: str | None, limit: int
    ) -> None:
        super().__init__(owner._t, _unresolved)
        self._owner, self._dataset, self._status, self._limit = owner, dataset, status, limit

    async def pages(self) -> AsyncIterator[Page[IngestionJob]]:
        ident = await self._owner._id(self._dataset)
        self._fetch = _Ops.jobs(ident, self._status, self._limit)
        async for page in super().pages():
            yield page
