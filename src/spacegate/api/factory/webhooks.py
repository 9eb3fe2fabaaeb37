"""Seed 004 "webhooks" (inbound status updates), and outbound subscriptions with their
delivery log (ours)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, HttpUrl

from spacegate.api.deps import After, CursorsDep, Limit, RuntimeDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.platform.providers import get_provider_edge
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.auth.scope import SpaceScopeDep
from spacegate.factory import deliveries as _deliveries  # noqa: F401  (registers the job)
from spacegate.factory.connectors import ConnectorEdge
from spacegate.factory.inbound import InboundWebhooks
from spacegate.factory.subscriptions import DeliveryService, SubscriptionService
from spacegate.resources.router import crud_router
from spacegate.wire.base import ListResponse, RequestModel, ResponseModel


class WebhookIn(RequestModel):
    """Seed 004's webhook payload: ``id`` names the entity the update is about."""

    id: str = Field(min_length=1, max_length=255)
    event: str | None = Field(default=None, max_length=64, description="created, updated ...")
    name: str | None = Field(default=None, max_length=255)
    payload: dict[str, Any] | None = None
    status: str | None = Field(default=None, max_length=64)
    timestamp: str | None = Field(default=None, max_length=64)
    type: str | None = Field(
        default=None, max_length=64, description="aws-s3, postgres, connector, training"
    )


class WebhookAck(BaseModel):
    id: str
    applied: dict[str, Any] = Field(description="What the update changed (empty: nothing).")


class InboundSecret(BaseModel):
    secret: str = Field(description="Sign inbound webhooks with this (Standard Webhooks).")


inbound = APIRouter(prefix="/v1/webhooks", tags=["webhooks"], route_class=UnitOfWorkRoute)


def _inbound(session: SessionDep, scope: SpaceScopeDep, runtime: RuntimeDep) -> InboundWebhooks:
    return InboundWebhooks(session, scope, runtime.settings.resolved_secret_key)


Inbound = Annotated[InboundWebhooks, Depends(_inbound)]


@inbound.post(
    "",
    summary="Webhook to receive status updates",
    response_model=WebhookAck,
    responses=errors(*AUTHED, 404),
)
async def receive_webhook(body: WebhookIn, request: Request, svc: Inbound) -> JSONResponse:
    raw = await request.body()
    headers = {k: request.headers.get(k) for k in signing_headers}
    answer, new = await svc.receive(raw, headers, body.model_dump())
    return JSONResponse(answer, headers=_replayed(new))


signing_headers = ("webhook-id", "webhook-timestamp", "webhook-signature")


def _replayed(new: bool) -> dict[str, str]:
    return {} if new else {"Webhook-Replayed": "true"}


@inbound.get(
    "/secret",
    summary="The space's inbound signing secret",
    response_model=InboundSecret,
    responses=errors(*AUTHED),
)
async def inbound_secret(svc: Inbound) -> InboundSecret:
    return InboundSecret(secret=svc.secret())


class SubscriptionCreate(RequestModel):
    url: HttpUrl
    events: list[str] = Field(default_factory=list, max_length=50, description="Empty: all.")
    description: str = Field(default="", max_length=1000)
    enabled: bool = True


class SubscriptionUpdate(RequestModel):
    url: HttpUrl | None = None
    events: list[str] | None = Field(default=None, max_length=50)
    description: str | None = Field(default=None, max_length=1000)
    enabled: bool | None = None


class SubscriptionRead(ResponseModel):
    id: uuid.UUID
    url: str
    events: list[str]
    description: str
    enabled: bool
    created_at: datetime
    updated_at: datetime


class SubscriptionCreated(SubscriptionRead):
    secret: str = Field(description="The signing secret, shown only now.")


class DeliveryRead(ResponseModel):
    id: uuid.UUID
    subscription_id: uuid.UUID
    event_type: str
    payload: dict[str, Any]
    status: str
    attempts: int
    response_status: int | None
    error: str | None
    job_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


subscriptions = APIRouter(
    prefix="/v1/webhook-subscriptions", tags=["webhooks"], route_class=UnitOfWorkRoute
)
SubscriptionId = Annotated[uuid.UUID, Path(description="Webhook subscription ID")]


def _subs(
    session: SessionDep,
    scope: SpaceScopeDep,
    cursors: CursorsDep,
    edge: Annotated[ConnectorEdge, Depends(get_provider_edge)],
) -> SubscriptionService:
    return SubscriptionService(session, scope, cursors).bound(edge)


Subs = Annotated[SubscriptionService, Depends(_subs)]


def _dump(body: RequestModel) -> dict[str, Any]:
    values = body.model_dump(exclude_unset=True)
    if values.get("url") is not None:
        values["url"] = str(values["url"])
    return values


@subscriptions.post(
    "",
    status_code=201,
    summary="Create webhook subscription",
    response_model=SubscriptionCreated,
    responses=errors(*AUTHED, 400, 404),
)
async def create_subscription(body: SubscriptionCreate, svc: Subs) -> SubscriptionCreated:
    sub = await svc.create({**body.model_dump(), **_dump(body)})
    read = SubscriptionRead.model_validate(sub)
    return SubscriptionCreated(**read.model_dump(), secret=svc.new_secret or "")


@subscriptions.patch(
    "/{id}",
    summary="Update webhook subscription",
    response_model=SubscriptionRead,
    responses=errors(*AUTHED, 400, 404),
)
async def update_subscription(body: SubscriptionUpdate, svc: Subs, id: SubscriptionId) -> Any:
    return await svc.update(id, _dump(body))


@subscriptions.get(
    "/{id}/deliveries",
    summary="Delivery log of a webhook subscription",
    response_model=ListResponse[DeliveryRead],
    responses=errors(*AUTHED, 400, 404),
)
async def list_deliveries(
    svc: Subs,
    session: SessionDep,
    scope: SpaceScopeDep,
    cursors: CursorsDep,
    id: SubscriptionId,
    limit: Limit = 10,
    after: After = None,
) -> Any:
    sub = await svc.get(id)
    page = await DeliveryService(session, scope, cursors).list_after(
        limit=limit, after=after, subscription_id=sub.id
    )
    data = [DeliveryRead.model_validate(d) for d in page.items]
    return ListResponse.of(data, page)


crud_router(
    SubscriptionService,
    prefix="/v1/webhook-subscriptions",
    tag="webhooks",
    create=None,
    update=None,
    read=SubscriptionRead,
    ops=("list", "get", "delete"),
    router=subscriptions,
)
