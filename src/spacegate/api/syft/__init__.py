"""Routers of the syft surface; `main.create_app` includes every one listed in `routers`."""

from __future__ import annotations

from fastapi import APIRouter

from spacegate.api.syft import datasets, documents, ingestion

routers: list[APIRouter] = [datasets.router, documents.router, ingestion.router]
