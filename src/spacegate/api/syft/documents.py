"""A ``local_file`` dataset's documents: multipart upload (size-capped, type read from the
content), list, get, delete, and keeping a server folder in step."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.datastructures import UploadFile as StarletteUpload

from spacegate.api.deps import CursorsDep, RuntimeDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.api.syft.datasets import service
from spacegate.api.syft.paths import both
from spacegate.auth.scope import SpaceScope, SpaceScopeDep
from spacegate.errors import AppError, Unprocessable
from spacegate.models import Dataset
from spacegate.rag.documents import DocumentService
from spacegate.resources.router import OffsetList
from spacegate.wire.base import IdResponse
from spacegate.wire.syft.datasets import DocumentRead, SyncRead


class FileTooLarge(AppError):
    status_code = 413
    code = "file_too_large"


router = APIRouter(prefix="/api/v1/datasets", tags=["datasets"], route_class=UnitOfWorkRoute)
Name = Annotated[str, Path(description="Dataset name")]
DocId = Annotated[uuid.UUID, Path(description="Document id")]


async def _read_capped(file: StarletteUpload, cap: int) -> bytes:
    parts, size = [], 0
    while True:
        piece = await file.read(1024 * 1024)
        if not piece:
            break
        size += len(piece)
        if size > cap:
            raise FileTooLarge(
                f"The file is larger than the {cap} bytes this server accepts.",
                extra={"param": "file"},
            )
        parts.append(piece)
    return b"".join(parts)


#: The upload's body, documented by hand: the route reads the form itself, after the caller's
#: permission and Idempotency-Key were checked (a form parsed earlier by FastAPI would leave no
#: body for the key's fingerprint).
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "A .pdf .docx .xlsx .html .md .csv .json .txt file.",
                        }
                    },
                }
            }
        },
    }
}
_FORM_SLACK = 64 * 1024  # multipart framing around the file


@both(
    router,
    "POST",
    "/{name}/documents",
    status_code=201,
    summary="Upload a document",
    responses=errors(*AUTHED, 400, 404, 409, 413, 415),
    openapi_extra=UPLOAD_BODY,
)
async def upload_document(
    request: Request,
    name: Name,
    session: SessionDep,
    scope: SpaceScopeDep,
    cursors: CursorsDep,
    runtime: RuntimeDep,
) -> DocumentRead:
    """Stores the file (multipart field ``file``) and queues its ingestion. A file of the same
    name replaces the earlier upload (indexed again if its content changed)."""
    dataset = await service(session, scope, cursors, runtime).get(name, permission="update")
    cap = runtime.settings.dataset_upload_max_bytes
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > cap + _FORM_SLACK:
        raise FileTooLarge(
            f"The file is larger than the {cap} bytes this server accepts.",
            extra={"param": "file"},
        )
    form = await request.form(max_files=1, max_fields=10)
    try:
        file = form.get("file")
        if not isinstance(file, StarletteUpload):
            raise Unprocessable(
                "Send the file as multipart/form-data in the field 'file'.",
                code="file_required",
                extra={"param": "file"},
            )
        data = await _read_capped(file, cap)
        filename = file.filename or "upload"
    finally:
        await form.close()
    docs = DocumentService(session, scope, runtime.settings.data_dir)
    doc = await docs.upload(dataset, filename, data)
    return DocumentRead.model_validate(doc)


async def _documents(
    name: str,
    session: SessionDep,
    scope: SpaceScope,
    cursors: CursorsDep,
    runtime: RuntimeDep,
    permission: str,
) -> tuple[Dataset, DocumentService]:
    """The dataset named ``name`` (``datasets:<permission>`` checked) and its documents."""
    dataset = await service(session, scope, cursors, runtime).get(name, permission=permission)
    return dataset, DocumentService(session, scope, runtime.settings.data_dir)


@both(router, "GET", "/{name}/documents", summary="List documents", responses=errors(*AUTHED, 404))
async def list_documents(
    name: Name,
    session: SessionDep,
    scope: SpaceScopeDep,
    cursors: CursorsDep,
    runtime: RuntimeDep,
    skip: Annotated[int, Query(ge=0, description="Items to skip.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="Items to return (1-1000).")] = 100,
) -> OffsetList[DocumentRead]:
    dataset = await service(session, scope, cursors, runtime).get(name)
    rows, total = await DocumentService(session, scope, runtime.settings.data_dir).page(
        dataset, offset=skip, limit=limit
    )
    items = [DocumentRead.model_validate(r) for r in rows]
    return OffsetList[DocumentRead](items=items, total=total, skip=skip, limit=limit)


@both(
    router,
    "GET",
    "/{name}/documents/{document_id}",
    summary="Get document",
    responses=errors(*AUTHED, 404),
)
async def get_document(
    name: Name,
    document_id: DocId,
    session: SessionDep,
    scope: SpaceScopeDep,
    cursors: CursorsDep,
    runtime: RuntimeDep,
) -> DocumentRead:
    dataset, docs = await _documents(name, session, scope, cursors, runtime, "get")
    return DocumentRead.model_validate(await docs.get(dataset, document_id))


@both(
    router,
    "DELETE",
    "/{name}/documents/{document_id}",
    summary="Delete document",
    responses=errors(*AUTHED, 404),
)
async def delete_document(
    name: Name,
    document_id: DocId,
    session: SessionDep,
    scope: SpaceScopeDep,
    cursors: CursorsDep,
    runtime: RuntimeDep,
) -> IdResponse:
    """Removes the document, its chunks and vectors, and its stored file."""
    dataset, docs = await _documents(name, session, scope, cursors, runtime, "update")
    return IdResponse(id=str((await docs.delete(dataset, document_id)).id))


@both(
    router, "POST", "/{name}/sync", summary="Sync the server folder", responses=errors(*AUTHED, 404)
)
async def sync_folder(
    name: Name, session: SessionDep, scope: SpaceScopeDep, cursors: CursorsDep, runtime: RuntimeDep
) -> SyncRead:
    """Reads the dataset's server folder (``configuration.folder``, under an allowed root):
    new files are added, changed ones indexed again, vanished ones removed."""
    settings = runtime.settings
    dataset = await service(session, scope, cursors, runtime).get(name, permission="update")
    report = await DocumentService(session, scope, settings.data_dir).sync(
        dataset, list(settings.dataset_roots), settings.dataset_upload_max_bytes
    )
    return SyncRead.model_validate(report)
