"""What an endpoint needs from the space's datasets: that one exists, and its search.

Datasets are their own package (``spacegate.rag.search``, ``spacegate.models.Dataset``); this
module is the one place endpoints touch them.
"""

from __future__ import annotations

import importlib
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.scope import SpaceScope
from spacegate.errors import AppError, Unprocessable
from spacegate.gateway.inprocess import ModelClient


class DatasetsUnavailable(AppError):
    status_code = 501
    code = "datasets_unavailable"


def _dataset_model() -> Any:
    models = importlib.import_module("spacegate.models")
    return getattr(models, "Dataset", None)


async def get(session: AsyncSession, scope: SpaceScope, dataset_id: uuid.UUID) -> Any:
    Dataset = _dataset_model()
    if Dataset is None:
        return None
    found = await session.scalar(
        select(Dataset).where(
            Dataset.id == dataset_id,
            Dataset.org_id == scope.org_id,
            Dataset.space_id == scope.space_id,
        )
    )
    return found


async def require(session: AsyncSession, scope: SpaceScope, dataset_id: uuid.UUID) -> None:
    if _dataset_model() is None:
        return  # kept as given until this server has datasets
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
) -> list[Any]:
    try:
        module = importlib.import_module("spacegate.rag.search")
    except ModuleNotFoundError:
        raise DatasetsUnavailable(
            "This server cannot search datasets yet: use response_type 'summary'.",
        ) from None
    dataset = await get(session, scope, dataset_id)
    if dataset is None:
        raise Unprocessable(
            "The endpoint's dataset no longer exists.",
            code="dataset_not_found",
            extra={"param": "dataset_id"},
        )
    hits: list[Any] = await module.search_dataset(
        session,
        dataset,
        query,
        limit=limit,
        similarity_threshold=similarity_threshold,
        models=models,
    )
    return hits
