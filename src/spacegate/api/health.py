"""Liveness and readiness probes; no authentication."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import text

from spacegate.runtime import Runtime

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    database: str | None = None
    redis: str | None = Field(default=None, description="Only when Redis is configured.")


@router.get("/healthz", summary="Process is up")
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    summary="Database (and Redis, when configured) reachable",
    response_model=Health,
    responses={503: {"model": Health, "description": "A dependency is unreachable."}},
)
async def readyz(request: Request) -> Health | JSONResponse:
    runtime: Runtime = request.app.state.runtime
    health = Health(status="ok", database="ok")
    try:
        async with runtime.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:
        health.database = "unavailable"
    if runtime.redis is not None:
        try:
            await runtime.redis.ping()
            health.redis = "ok"
        except Exception:
            health.redis = "unavailable"
    if "unavailable" in (health.database, health.redis):
        health.status = "unavailable"
        return JSONResponse(health.model_dump(), status_code=503, headers={"Retry-After": "5"})
    return health
