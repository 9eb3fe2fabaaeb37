"""What the copilot's routers share: a model client acting as the caller in its space."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.scope import SpaceScope
from spacegate.gateway.inprocess import ModelClient, model_client


def caller_client(request: Request, scope: SpaceScope, purpose: str, **labels: Any) -> ModelClient:
    """Model calls made for this request: through the gateway, as the caller, in its space."""
    return model_client(
        request.app.state.gateway, scope.principal, scope.space_id, purpose=purpose, **labels
    )


async def end_reads(session: AsyncSession) -> None:
    """End the request's transaction before a model call: it has only read so far, and on
    SQLite a write transaction holds the database's one write lock (``BEGIN IMMEDIATE``) for as
    long as the model takes to answer, stalling every other writer. What the route writes after
    the call (and its Idempotency-Key answer) is committed in a new transaction, as usual."""
    await session.commit()
