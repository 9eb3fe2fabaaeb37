"""A dataset's documents: uploads, a server folder kept in step, deletes. Each new or changed
file queues its ingestion job in the same transaction; an unchanged one is left as it is."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.scope import SpaceScope
from spacegate.errors import NotFound, Unprocessable
from spacegate.kit.ids import uuid7
from spacegate.models import Dataset, DatasetChunk, DatasetDocument
from spacegate.rag import files, ingestion
from spacegate.resources import ScopedRepository


@dataclass
class SyncReport:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0


class DocumentService:
    def __init__(self, session: AsyncSession, scope: SpaceScope, data_dir: Path) -> None:
        self.session = session
        self.scope = scope
        self.data_dir = data_dir
        self.repo = ScopedRepository(session, scope, DatasetDocument)

    async def page(
        self, dataset: Dataset, *, offset: int, limit: int
    ) -> tuple[Sequence[DatasetDocument], int]:
        self.scope.require("datasets:get")
        stmt = self.repo.select(DatasetDocument.dataset_id == dataset.id)
        return await self.repo.page_offset(stmt, offset=offset, limit=limit)

    async def get(
        self, dataset: Dataset, document_id: uuid.UUID, *, lock: bool = False
    ) -> DatasetDocument:
        stmt = self.repo.select(
            DatasetDocument.dataset_id == dataset.id, DatasetDocument.id == document_id
        )
        doc: DatasetDocument | None = await self.session.scalar(
            stmt.with_for_update() if lock else stmt
        )
        if doc is None:
            raise NotFound(f"Document '{document_id}' not found", code="document_not_found")
        return doc

    async def upload(self, dataset: Dataset, filename: str, data: bytes) -> DatasetDocument:
        """Add a file, or replace the upload of the same name (indexed again if it changed)."""
        self.scope.require("datasets:update")
        if dataset.dtype != "local_file":
            raise Unprocessable(
                f"Dataset '{dataset.name}' ({dataset.dtype}) takes no uploads.",
                code="uploads_not_supported",
            )
        name = files.safe_name(filename)
        kind = files.detect(name, data)
        if not data:
            raise Unprocessable("The file is empty.", code="empty_file", extra={"param": "file"})
        digest = files.sha256(data)
        doc: DatasetDocument | None = await self.session.scalar(
            self.repo.select(
                DatasetDocument.dataset_id == dataset.id,
                DatasetDocument.source == "upload",
                DatasetDocument.filename == name,
            ).with_for_update()
        )
        if doc is not None and doc.sha256 == digest and doc.status not in ("failed", "cancelled"):
            return doc
        if doc is None:
            doc_id = uuid7()
            doc = DatasetDocument(
                id=doc_id,
                org_id=self.scope.org_id,
                space_id=self.scope.space_id,
                created_by=self.scope.principal.user_id,
                dataset_id=dataset.id,
                filename=name,
                source="upload",
                path=files.upload_path(self.scope.space_id, dataset.id, doc_id),
                kind=kind,
                size_bytes=len(data),
                sha256=digest,
            )
            self.session.add(doc)
        else:
            doc.kind, doc.size_bytes, doc.sha256 = kind, len(data), digest
        await asyncio.to_thread(files.store, self.data_dir, doc.path, data)
        await ingestion.enqueue(self.session, self.scope, doc)
        await self.session.flush()
        return doc

    async def delete(self, dataset: Dataset, document_id: uuid.UUID) -> DatasetDocument:
        self.scope.require("datasets:update")
        doc = await self.get(dataset, document_id, lock=True)
        await self.remove(doc)
        return doc

    async def remove(self, doc: DatasetDocument) -> None:
        await ingestion.stop_jobs(self.session, doc)
        await self.session.execute(delete(DatasetChunk).where(DatasetChunk.document_id == doc.id))
        await self.session.delete(doc)
        await self.session.flush()
        if doc.source == "upload":
            files.remove(self.data_dir, doc.path)

    async def sync(self, dataset: Dataset, roots: list[Path], max_bytes: int) -> SyncReport:
        """Bring the documents in step with the dataset's server folder: new files added,
        changed ones indexed again, vanished ones removed with their chunks."""
        self.scope.require("datasets:update")
        folder_name = (dataset.configuration or {}).get("folder")
        if not folder_name:
            raise Unprocessable(
                f"Dataset '{dataset.name}' names no folder (configuration.folder).",
                code="no_folder",
                extra={"param": "configuration.folder"},
            )
        folder = files.allowed_folder(folder_name, roots)
        found = await asyncio.to_thread(files.folder_files, folder, max_bytes)
        existing = {
            d.filename: d
            for d in (
                await self.session.scalars(
                    self.repo.select(
                        DatasetDocument.dataset_id == dataset.id,
                        DatasetDocument.source == "folder",
                    ).with_for_update()
                )
            ).all()
        }
        report = SyncReport()
        for name, path in sorted(found.items()):
            data = await asyncio.to_thread(path.read_bytes)
            try:
                kind = files.detect(name, data)
            except files.UnsupportedFile:
                continue
            digest = files.sha256(data)
            doc = existing.pop(name, None)
            if doc is not None and doc.sha256 == digest and doc.path == str(path):
                report.unchanged += 1
                continue
            if doc is None:
                doc = DatasetDocument(
                    org_id=self.scope.org_id,
                    space_id=self.scope.space_id,
                    created_by=self.scope.principal.user_id,
                    dataset_id=dataset.id,
                    filename=name,
                    source="folder",
                    path=str(path),
                    kind=kind,
                    size_bytes=len(data),
                    sha256=digest,
                )
                self.session.add(doc)
                report.added += 1
            else:
                doc.kind, doc.size_bytes, doc.sha256, doc.path = kind, len(data), digest, str(path)
                report.changed += 1
            await self.session.flush()
            await ingestion.enqueue(self.session, self.scope, doc)
        for doc in existing.values():
            await self.remove(doc)
            report.removed += 1
        await self.session.flush()
        return report
