"""Routers of the syft surface; `main.create_app` includes every one listed in `routers`."""

from __future__ import annotations

from fastapi import APIRouter

from spacegate.api.syft import datasets, documents, endpoints, ingestion, models, policies, settings

routers: list[APIRouter] = [
    datasets.router,
    documents.router,
    ingestion.router,
    models.types_router,
    models.router,
    endpoints.router,
    endpoints.catalogue_router,
    policies.types_router,
    policies.router,
    settings.router,
]
