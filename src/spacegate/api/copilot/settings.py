"""The copilot settings of the caller's space (guard categories, guard / router models ...)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints

from spacegate.api.deps import SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.auth.scope import SpaceScopeDep
from spacegate.copilot.settings import CopilotSettingsService
from spacegate.wire.base import RequestModel

router = APIRouter(prefix="/v1/copilot", tags=["chats"], route_class=UnitOfWorkRoute)

Category = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class CopilotSettingsRead(BaseModel):
    guard_categories: list[str] = Field(description="What the guard refuses.")
    guard_model: str | None = Field(description="The guard's model; null: the turn's model.")
    router_model: str | None = Field(description="The router's model; null: the turn's model.")
    guard_timeout_seconds: float = Field(
        description="A guard that has not answered by then fails the turn (closed)."
    )
    window_max_tokens: int | None = Field(
        description="Most history tokens a turn sends; null: the model's context window."
    )


class CopilotSettingsUpdate(RequestModel):
    guard_categories: list[Category] | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Null restores the defaults.",
    )
    guard_model: str | None = Field(default=None, min_length=1, max_length=200)
    router_model: str | None = Field(default=None, min_length=1, max_length=200)
    guard_timeout_seconds: float | None = Field(default=None, gt=0, le=600)
    window_max_tokens: int | None = Field(default=None, ge=64, le=10_000_000)


@router.get("/settings", summary="Get copilot settings", responses=errors(*AUTHED, 400, 404))
async def get_settings(session: SessionDep, scope: SpaceScopeDep) -> CopilotSettingsRead:
    return CopilotSettingsRead(**(await CopilotSettingsService(session, scope).read()).wire())


@router.patch("/settings", summary="Update copilot settings", responses=errors(*AUTHED, 400, 404))
async def update_settings(
    body: CopilotSettingsUpdate, session: SessionDep, scope: SpaceScopeDep
) -> CopilotSettingsRead:
    changes = body.model_dump(exclude_unset=True)
    effective = await CopilotSettingsService(session, scope).update(changes)
    return CopilotSettingsRead(**effective.wire())
