"""What an endpoint needs from the space's datasets: that one exists, and its search."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.scope import SpaceScope
from spacegate.errors import Unprocessable
from spacegate.gateway.inprocess import ModelClient
from spacegate.models import Dataset
from spacegate.rag.search import Hit, search_dataset


async def get(session: AsyncSession, scope: SpaceScope, dataset_id: uuid.UUID) -> Dataset | None:
    found: Dataset | None = await session.scalar(
        select(Dataset).where(
            Dataset.id == dataset_id,
            Dataset.org_id == scope.org_id,
            Dataset.space_id == scope.space_id,
        )
    )
    return found


async def require(session: AsyncSession, scope: SpaceScope, dataset_id: uuid.UUID) -> None:
    if await get(session, scope, dataset_id) is None:
        raise Unprocessable(
            f"Dataset '{dataset_id}' not found in this space.",
            code="dataset_not_found",
            extra={"param": "dataset_id"},
        )


async def search(
    session: AsyncSession,
    scope: SpaceScope,
    dataset_id: uuid.UUID,
    query: str,
    *,
    limit: int,
    similarity_threshold: float,
    models: ModelClient,
) -> list[Hit]:
    dataset = await get(session, scope, dataset_id)
    if dataset is None:
        raise Unprocessable(
            "The endpoint's dataset no longer exists.",
            code="dataset_not_found",
            extra={"param": "dataset_id"},
        )
    if not (dataset.configuration or {}).get("embedding_model"):
        # The threshold is a semantic similarity (a cosine), as in Syft Space. A dataset searched
        # by words alone has no such score (BM25 scales differ between SQLite and PostgreSQL):
        # its best ``limit`` chunks answer.
        similarity_threshold = 0.0
    return await search_dataset(
        session,
        dataset,
        query,
        limit=limit,
        similarity_threshold=similarity_threshold,
        models=models,
    )
