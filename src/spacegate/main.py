"""Application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

import spacegate.audit.recorder  # noqa: F401  (registers the audit listener)
from spacegate import __version__, logs
from spacegate.api import errors
from spacegate.api.health import router as health_router
from spacegate.api.platform import api_keys, audit_logs, orgs, spaces, users
from spacegate.config import Settings, get_settings
from spacegate.middleware import RequestIdMiddleware
from spacegate.runtime import Runtime

DESCRIPTION = """
Spacegate governs how an organisation uses AI models: spaces, the models each space may use,
and an OpenAI-compatible gateway that enforces it.

Authenticate with an API key, as `Authorization: Bearer sg_...` or `X-API-Key: sg_...`.
Errors are `{"detail": ..., "code": ...}`; validation errors are pydantic's list under `detail`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logs.configure(settings.log_level, settings.json_logs)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.create(settings)
        app.state.runtime = runtime
        try:
            yield
        finally:
            await runtime.close()

    app = FastAPI(
        title="Spacegate",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    errors.install(app)
    for module in (spaces, users, api_keys, orgs, audit_logs):
        app.include_router(module.router)
    app.include_router(health_router)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=[
            "Content-Type",
            "Authorization",
            "X-API-Key",
            "Idempotency-Key",
            "X-Request-ID",
            "X-Space-Id",
        ],
        expose_headers=["X-Request-ID", "Idempotent-Replayed", "Retry-After"],
    )
    app.add_middleware(RequestIdMiddleware)
    return app


def app_factory() -> FastAPI:
    """Entry point for ``uvicorn --factory``."""
    return create_app()
