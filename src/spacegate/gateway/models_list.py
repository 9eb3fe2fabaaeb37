"""``GET /v1/models``: only what the caller's space is entitled to."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from spacegate.gateway.catalog import Route


def model_object(route: Route, owner: str) -> dict[str, Any]:
    return {
        "id": route.alias,
        "object": "model",
        "created": int(route.created_at.timestamp()),
        "owned_by": owner,
        "tenant_model_id": str(route.model_id),
        "capabilities": list(route.capabilities),
        "context_window": route.context_window,
        "is_default": route.is_default,
    }


def json(payload: dict[str, Any]) -> Response:
    return Response(orjson.dumps(payload), media_type="application/json")
