"""Datasets: named per space, a dtype with a validated configuration; their ingestion summary
is attached on read. A change of embedding model or chunking indexes every document again;
deleting a dataset deletes its documents, chunks, vectors and stored files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.scope import SpaceScope
from spacegate.errors import Unprocessable
from spacegate.kit.cursors import CursorCodec
from spacegate.models import Dataset, DatasetChunk, DatasetDocument, Entitlement, RegisteredModel
from spacegate.rag import dtypes, files, ingestion
from spacegate.rag.spec import syft_spec
from spacegate.resources import ResourceService


class DatasetService(ResourceService[Dataset]):
    model = Dataset
    spec = syft_spec(label="Dataset", permission="datasets", name="dataset", key="name")

    def __init__(
        self,
        session: AsyncSession,
        scope: SpaceScope,
        cursors: CursorCodec,
        *,
        roots: list[Path] | None = None,
        data_dir: Path | None = None,
    ) -> None:
        super().__init__(session, scope, cursors)
        self.roots = roots or []
        self.data_dir = data_dir

    async def validate(self, values: dict[str, Any], current: Dataset | None) -> dict[str, Any]:
        if current is not None and "dtype" in values and values["dtype"] != current.dtype:
            raise Unprocessable(
                "A dataset's dtype cannot change; make a new dataset.",
                code="dtype_immutable",
                extra={"param": "dtype"},
            )
        dtype = values.get("dtype") or (current.dtype if current else "")
        if current is None or "configuration" in values:
            config = dtypes.validated(dtype, values.get("configuration"))
            await self._check_model(config.get("embedding_model"))
            if config.get("folder"):
                files.allowed_folder(config["folder"], self.roots)
            values["configuration"] = config
        if values.get("tags") is not None:
            values["tags"] = list(dict.fromkeys(values["tags"]))
        return values

    async def _check_model(self, alias: str | None) -> None:
        if alias is None:
            return
        found = await self.session.scalar(
            select(Entitlement.id)
            .join(RegisteredModel, RegisteredModel.id == Entitlement.model_id)
            .where(
                Entitlement.org_id == self.scope.org_id,
                Entitlement.space_id == self.scope.space_id,
                RegisteredModel.alias == alias,
            )
            .limit(1)
        )
        if found is None:
            raise Unprocessable(
                f"No model '{alias}' is entitled in this space.",
                code="embedding_model_not_entitled",
                extra={"param": "configuration.embedding_model"},
            )

    async def get(self, ident: Any, *, permission: str = "get", lock: bool = False) -> Dataset:
        obj = await super().get(ident, permission=permission, lock=lock)
        await ingestion.annotate(self.session, [obj])
        return obj

    async def by_id(self, dataset_id: Any, *, permission: str = "get") -> Dataset:
        """The dataset of the ingestion routes, which name it by id."""
        self.scope.require(self.spec.permission_for(permission))
        obj = await self.repo.get_by("id", dataset_id)
        if obj is None:
            raise self.not_found(dataset_id)
        await ingestion.annotate(self.session, [obj])
        return obj

    async def list_offset(self, *, offset: int, limit: int, **filters: Any) -> tuple[Any, int]:
        rows, total = await super().list_offset(offset=offset, limit=limit, **filters)
        await ingestion.annotate(self.session, list(rows))
        return rows, total

    async def create(self, values: dict[str, Any]) -> Dataset:
        obj = await super().create(values)
        await ingestion.annotate(self.session, [obj])
        return obj

    async def update(self, ident: Any, changes: dict[str, Any]) -> Dataset:
        current = await super().get(ident, permission="update", lock=True)
        before = dict(current.configuration or {})
        obj = await super().update(ident, changes)
        after = obj.configuration or {}
        if any(before.get(f) != after.get(f) for f in dtypes.REINDEX_FIELDS):
            docs = await self.session.scalars(
                select(DatasetDocument).where(DatasetDocument.dataset_id == obj.id)
            )
            for doc in docs.all():
                await ingestion.enqueue(self.session, self.scope, doc)
            await self.session.flush()
        await ingestion.annotate(self.session, [obj])
        return obj

    async def delete(self, ident: Any) -> Dataset:
        obj = await super().get(ident, permission="delete", lock=True)
        docs = list(
            (
                await self.session.scalars(
                    select(DatasetDocument).where(DatasetDocument.dataset_id == obj.id)
                )
            ).all()
        )
        for doc in docs:
            await ingestion.stop_jobs(self.session, doc)
        # Chunks first, row by statement: SQLite's FTS5 triggers remove their index entries.
        await self.session.execute(delete(DatasetChunk).where(DatasetChunk.dataset_id == obj.id))
        for doc in docs:
            await self.session.delete(doc)
        await self.session.flush()
        await self.repo.delete(obj)
        await self.session.flush()
        if self.data_dir is not None:
            for doc in docs:
                if doc.source == "upload":
                    files.remove(self.data_dir, doc.path)
        return obj
