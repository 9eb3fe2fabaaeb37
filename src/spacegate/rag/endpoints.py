"""Seed 003 endpoints: the queryable unit, addressed by slug in its space; publishing puts it
in the org's catalogue (``catalogue``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from spacegate.errors import Conflict, Unprocessable
from spacegate.kit.clock import utcnow
from spacegate.models import RagEndpoint, RagPolicy, SyftModel
from spacegate.rag import endpoint_datasets
from spacegate.rag.spec import syft_spec
from spacegate.rag.syft_settings import SyftSettingsService
from spacegate.resources import ResourceService

RESPONSE_TYPES = ("raw", "summary", "both")


def query_path(slug: str) -> str:
    return f"/api/v1/endpoints/{slug}/query"


class EndpointService(ResourceService[RagEndpoint]):
    model = RagEndpoint
    spec = syft_spec(label="Endpoint", permission="endpoints", name="endpoint", key="slug")

    async def validate(self, values: dict[str, Any], current: RagEndpoint | None) -> dict[str, Any]:
        slug = values.get("slug")
        changed = slug is not None and (current is None or slug != current.slug)
        if changed and await self.repo.exists("slug", slug):
            raise Conflict(f"Endpoint with slug '{slug}' already exists", code="endpoint_exists")
        model_id = values.get("model_id", current.model_id if current else None)
        dataset_id = values.get("dataset_id", current.dataset_id if current else None)
        kind = values.get("response_type", current.response_type if current else "both")
        if "model_id" in values and model_id is not None:
            found = await self.session.scalar(
                select(SyftModel.id).where(
                    SyftModel.id == model_id,
                    SyftModel.org_id == self.scope.org_id,
                    SyftModel.space_id == self.scope.space_id,
                )
            )
            if found is None:
                raise Unprocessable(
                    f"Model '{model_id}' not found in this space.",
                    code="model_not_found",
                    extra={"param": "model_id"},
                )
        if "dataset_id" in values and dataset_id is not None:
            await endpoint_datasets.require(self.session, self.scope, dataset_id)
        if kind in ("summary", "both") and model_id is None:
            raise Unprocessable(
                f"response_type '{kind}' needs a model_id.",
                code="model_required",
                extra={"param": "model_id"},
            )
        if kind in ("raw", "both") and dataset_id is None:
            raise Unprocessable(
                f"response_type '{kind}' needs a dataset_id.",
                code="dataset_required",
                extra={"param": "dataset_id"},
            )
        if "published" in values and values["published"] != (
            current.published if current else False
        ):
            values["published_at"] = utcnow() if values["published"] else None
        return values

    # -- reading, with what the wire shape shows besides the row ------------------------------

    async def get(self, ident: Any, *, permission: str = "get", lock: bool = False) -> RagEndpoint:
        obj = await super().get(ident, permission=permission, lock=lock)
        await self.decorate([obj])
        return obj

    async def list_offset(
        self, *, offset: int, limit: int, **filters: Any
    ) -> tuple[Sequence[RagEndpoint], int]:
        rows, total = await super().list_offset(offset=offset, limit=limit, **filters)
        await self.decorate(list(rows))
        return rows, total

    async def find(self, slug: str, *, permission: str) -> RagEndpoint:
        """The row alone, without what the wire shape adds (a query needs none of it)."""
        return await super().get(slug, permission=permission)

    async def create(self, values: dict[str, Any]) -> RagEndpoint:
        obj = await super().create(values)
        await self.decorate([obj])
        return obj

    async def update(self, ident: Any, changes: dict[str, Any]) -> RagEndpoint:
        obj = await super().update(ident, changes)
        await self.decorate([obj])
        return obj

    async def set_published(self, slug: str, published: bool) -> RagEndpoint:
        return await self.update(slug, {"published": published})

    async def decorate(self, rows: list[RagEndpoint]) -> None:
        if not rows:
            return
        ids = [r.id for r in rows]
        policies: dict[uuid.UUID, list[dict[str, Any]]] = {i: [] for i in ids}
        for p in await self.session.scalars(
            select(RagPolicy)
            .where(RagPolicy.org_id == self.scope.org_id, RagPolicy.endpoint_id.in_(ids))
            .order_by(RagPolicy.id)
        ):
            policies[p.endpoint_id].append(
                {
                    "id": p.id,
                    "name": p.name,
                    "policy_type": p.policy_type,
                    "configuration": p.configuration,
                }
            )
        model_ids = {r.model_id for r in rows if r.model_id is not None}
        models = {
            m.id: {"id": m.id, "name": m.name, "dtype": m.dtype}
            for m in await self.session.scalars(
                select(SyftModel).where(
                    SyftModel.id.in_(model_ids), SyftModel.org_id == self.scope.org_id
                )
            )
        }
        base = await SyftSettingsService(self.session, self.scope.principal).public_url()
        for r in rows:
            r.view = {  # type: ignore[attr-defined]
                "policies": policies[r.id],
                "model": models.get(r.model_id) if r.model_id else None,
                "url": (base or "") + query_path(r.slug),
            }
