"""Seed 003 settings (``/api/v1/settings/``): the org's network and marketplace settings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StrictBool, StringConstraints

from spacegate.api.deps import SessionDep
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.api.syft.common import responses, route
from spacegate.auth.dependencies import PrincipalDep
from spacegate.rag.syft_settings import SyftSettingsService
from spacegate.wire.base import RequestModel

PublicUrl = Annotated[
    str,
    StringConstraints(pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$", max_length=2048),
    Field(examples=["https://space.example.com"]),
]
#: The methods and headers seed 003 names (a subset of what the server allows).
SEED_METHODS = ["GET", "POST", "PATCH", "DELETE", "OPTIONS"]
SEED_HEADERS = ["Content-Type", "Authorization"]


class Cors(BaseModel):
    allow_origins: list[str] = Field(
        description="Set for the server by `SPACEGATE_CORS_ORIGINS` (a preflight carries no "
        "credentials, so no org can be told apart there)."
    )
    allow_methods: list[str]
    allow_headers: list[str]
    allow_credentials: bool


class SettingsRead(BaseModel):
    public_url: str | None = Field(
        description="Shown wherever an endpoint's address is; null: addresses are relative."
    )
    catalogue_enabled: bool = Field(description="Whether published endpoints are listed.")
    cors: Cors
    updated_at: datetime | None


class SettingsUpdate(RequestModel):
    public_url: PublicUrl | None = None
    catalogue_enabled: StrictBool | None = None


class PublicUrlRead(BaseModel):
    public_url: str | None


class PublicUrlUpdate(RequestModel):
    public_url: PublicUrl | None


router = APIRouter(prefix="/api/v1/settings", tags=["syft settings"], route_class=UnitOfWorkRoute)


def _read(request: Request, values: dict[str, Any]) -> SettingsRead:
    origins = list(request.app.state.runtime.settings.cors_origins)
    cors = Cors(
        allow_origins=origins,
        allow_methods=SEED_METHODS,
        allow_headers=SEED_HEADERS,
        allow_credentials=True,
    )
    return SettingsRead(**values, cors=cors)


@route(router, "GET", "", summary="Get settings", responses=responses())
async def get_settings(
    request: Request, session: SessionDep, principal: PrincipalDep
) -> SettingsRead:
    return _read(request, await SyftSettingsService(session, principal).read())


@route(router, "PATCH", "", summary="Update settings", responses=responses())
async def update_settings(
    body: SettingsUpdate, request: Request, session: SessionDep, principal: PrincipalDep
) -> SettingsRead:
    svc = SyftSettingsService(session, principal)
    return _read(request, await svc.update(body.model_dump(exclude_unset=True)))


@route(router, "GET", "/public-url", summary="Get the public URL", responses=responses())
async def get_public_url(session: SessionDep, principal: PrincipalDep) -> PublicUrlRead:
    values = await SyftSettingsService(session, principal).read()
    return PublicUrlRead(public_url=values["public_url"])


@route(router, "PATCH", "/public-url", summary="Set the public URL", responses=responses())
async def set_public_url(
    body: PublicUrlUpdate, session: SessionDep, principal: PrincipalDep
) -> PublicUrlRead:
    values = await SyftSettingsService(session, principal).update({"public_url": body.public_url})
    return PublicUrlRead(public_url=values["public_url"])
