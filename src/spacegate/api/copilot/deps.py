"""What the copilot's routers share: a model client acting as the caller in its space."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from spacegate.auth.scope import SpaceScope
from spacegate.gateway.inprocess import ModelClient, model_client


def caller_client(request: Request, scope: SpaceScope, purpose: str, **labels: Any) -> ModelClient:
    """Model calls made for this request: through the gateway, as the caller, in its space."""
    return model_client(
        request.app.state.gateway, scope.principal, scope.space_id, purpose=purpose, **labels
    )
