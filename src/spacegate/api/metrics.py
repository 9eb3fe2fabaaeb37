"""``/metrics`` in the Prometheus text format."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from spacegate.kit import metrics

router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format."}},
)
async def prometheus(request: Request) -> Response:
    gateway = getattr(request.app.state, "gateway", None)
    if gateway is not None:
        metrics.meter_backlog.set(gateway.meter.backlog)
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
