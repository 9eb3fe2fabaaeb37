"""Application factory."""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.telemetry import TelemetryConfig

import spacegate.audit.recorder  # noqa: F401  (registers the audit listener)
from spacegate import __version__, logs
from spacegate.api import copilot, errors, factory, openapi, pages, syft
from spacegate.api.aimable import model_policy, space_models
from spacegate.api.aimable import tenant_models as aimable_tenant_models
from spacegate.api.health import router as health_router
from spacegate.api.mechamental import model_entitlements
from spacegate.api.metrics import router as metrics_router
from spacegate.api.openai.router import HOT_ROUTES
from spacegate.api.openai.router import router as openai_router
from spacegate.api.platform import (
    api_keys,
    audit_logs,
    inference_logs,
    jobs,
    limits,
    me,
    orgs,
    providers,
    spaces,
    tenant_models,
    usage,
    users,
)
from spacegate.config import Settings, get_settings
from spacegate.console import router as console
from spacegate.gateway.wiring import build_gateway
from spacegate.jobs import JobRunner
from spacegate.limits.middleware import OrgRateLimitMiddleware
from spacegate.middleware import HotPathMiddleware, RequestIdMiddleware
from spacegate.runtime import Runtime

DESCRIPTION = """
Spacegate governs how an organisation uses AI models: spaces, the models each space may use,
and an OpenAI-compatible gateway that enforces it.

Authenticate with an API key, as `Authorization: Bearer sg_...` or `X-API-Key: sg_...`.
Errors are `{"detail": ..., "code": ...}`; validation errors are pydantic's list under `detail`.
"""


def telemetry() -> TelemetryConfig | None:
    """FastAPI's own OpenTelemetry (a span, metrics and logs per request) where the deployment
    configures OpenTelemetry (any ``OTEL_*`` or ``FASTAPI_OTEL_*`` variable); otherwise off, so
    that no request looks for providers nobody set up (three environment look-ups each)."""
    if any(name.startswith(("OTEL_", "FASTAPI_OTEL_")) for name in os.environ):
        return None  # FastAPI's defaults
    return {"tracing": False, "metrics": False, "logs": False}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logs.configure(settings.log_level, settings.json_logs)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.create(settings)
        app.state.runtime = runtime
        gateway = build_gateway(runtime)
        app.state.gateway = gateway
        app.state.limits = gateway.limiter.limits
        await runtime.bus.start(runtime.redis, settings.redis_url)
        await gateway.meter.start()
        await gateway.recover()  # calls a killed process left unsettled, at their reservation
        runner = JobRunner(runtime, gateway=gateway)
        app.state.jobs = runner
        if settings.jobs_enabled:
            await runner.start()
        try:
            yield
        finally:
            await runner.stop()
            await gateway.limiter.drain()
            await gateway.meter.stop()  # flush usage before the database goes away
            gateway.close_journal()
            await runtime.bus.stop()
            await gateway.http.aclose()
            await runtime.close()

    app = FastAPI(
        title="Spacegate",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        telemetry=telemetry(),
        docs_url=None,
        redoc_url=None,
    )
    errors.install(app)
    pages.install(app)
    openapi.install(app)
    for module in (spaces, users, api_keys, orgs, audit_logs):
        app.include_router(module.router)
    app.include_router(providers.router)
    app.include_router(tenant_models.router)
    app.include_router(aimable_tenant_models.router)
    app.include_router(space_models.router)
    app.include_router(space_models.v1_router)
    app.include_router(model_policy.router)
    app.include_router(model_entitlements.router)
    app.include_router(inference_logs.router)
    app.include_router(usage.router)
    app.include_router(limits.router)
    app.include_router(me.router)
    app.include_router(jobs.router)
    for area in (syft, factory, copilot):
        for router in area.routers:
            app.include_router(router)
    app.include_router(openai_router)
    app.include_router(health_router)
    app.include_router(metrics_router)
    console.install(app)
    app.add_middleware(OrgRateLimitMiddleware)
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
        expose_headers=[
            "X-Request-ID",
            "Idempotent-Replayed",
            "Retry-After",
            "RateLimit",
            "RateLimit-Policy",
        ],
    )
    app.add_middleware(HotPathMiddleware, routes=HOT_ROUTES)  # inside request ids, before CORS
    app.add_middleware(RequestIdMiddleware)
    return app


def app_factory() -> FastAPI:
    """Entry point for ``uvicorn --factory``."""
    app = create_app()
    # What is loaded by now (modules, the app) lives as long as the process: spare the garbage
    # collector from walking it again on every full collection, a pause of ~250 ms under load.
    gc.collect()
    gc.freeze()
    return app
