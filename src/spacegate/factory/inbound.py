"""Seed 004's ``POST /webhooks``: status updates about the factory's entities from the workers
that run them (scans, trainings).

A call carries the caller's API key and a Standard Webhooks signature under the space's inbound
secret (``GET /v1/webhooks/secret``); a timestamp outside the replay window or a signature that
does not match is a 401. Each message (``webhook-id``) is applied once: a repeat answers as the
first did and changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.scope import SpaceScope
from spacegate.errors import NotFound, Unprocessable
from spacegate.factory import signing
from spacegate.kit.clock import utcnow
from spacegate.models import Connector, Training, WebhookEvent

#: ``type`` -> the entity it names, and the statuses it may be given.
ENTITIES: dict[str, tuple[type[Any], tuple[str, ...]]] = {
    "aws-s3": (Connector, ("active", "scanning", "scanned", "error")),
    "postgres": (Connector, ("active", "scanning", "scanned", "error")),
    "connector": (Connector, ("active", "scanning", "scanned", "error")),
    "training": (Training, ("queued", "running", "succeeded", "failed", "cancelled")),
}


def inbound_secret(server_secret: bytes, scope: SpaceScope) -> str:
    """The space's inbound signing secret, derived from the server secret (nothing stored)."""
    digest = hmac.new(
        server_secret,
        b"spacegate inbound webhooks:" + scope.org_id.bytes + scope.space_id.bytes,
        hashlib.sha256,
    ).digest()
    return signing.PREFIX + base64.b64encode(digest[:24]).decode()


class InboundWebhooks:
    def __init__(self, session: AsyncSession, scope: SpaceScope, server_secret: bytes) -> None:
        self.session, self.scope, self.server_secret = session, scope, server_secret

    def secret(self) -> str:
        self.scope.require("webhooks:update")
        return inbound_secret(self.server_secret, self.scope)

    async def receive(
        self, raw: bytes, headers: dict[str, str | None], body: dict[str, Any]
    ) -> tuple[dict[str, Any], bool]:
        """Verify, then apply once. Returns the answer and whether this message was new."""
        self.scope.require("webhooks:create")
        msg_id = headers.get("webhook-id")
        signing.verify(
            inbound_secret(self.server_secret, self.scope),
            raw,
            msg_id,
            headers.get("webhook-timestamp"),
            headers.get("webhook-signature"),
        )
        assert msg_id is not None
        seen = await self._seen(msg_id)
        if seen is not None:
            return {"id": body["id"], "applied": seen.applied}, False
        applied = await self._apply(body)
        event = WebhookEvent(
            org_id=self.scope.org_id,
            space_id=self.scope.space_id,
            created_by=self.scope.principal.user_id,
            event_id=msg_id,
            event=body.get("event"),
            type=body.get("type"),
            name=body.get("name"),
            status=body.get("status"),
            payload=body.get("payload") or {},
            sent_at=_parse_time(body.get("timestamp")),
            applied=applied,
        )
        try:
            async with self.session.begin_nested():
                self.session.add(event)
        except IntegrityError:
            # The same message arrived twice at once: the other one applies it.
            raise Unprocessable(
                "This webhook message is being applied by another request.",
                code="webhook_in_flight",
            ) from None
        return {"id": body["id"], "applied": applied}, True

    async def _seen(self, msg_id: str) -> WebhookEvent | None:
        found: WebhookEvent | None = await self.session.scalar(
            select(WebhookEvent).where(
                WebhookEvent.org_id == self.scope.org_id,
                WebhookEvent.space_id == self.scope.space_id,
                WebhookEvent.event_id == msg_id,
            )
        )
        return found

    async def _apply(self, body: dict[str, Any]) -> dict[str, Any]:
        kind = body.get("type")
        if kind not in ENTITIES or body.get("status") is None:
            return {}
        model, statuses = ENTITIES[kind]
        if body["status"] not in statuses:
            raise Unprocessable(
                f"status '{body['status']}' is not one of {', '.join(statuses)} for {kind}.",
                code="invalid_status",
                extra={"param": "status"},
            )
        try:
            ident = uuid.UUID(str(body["id"]))
        except ValueError:
            raise Unprocessable(
                "id must be the UUID of the entity the update is about.",
                code="invalid_id",
                extra={"param": "id"},
            ) from None
        entity = await self.session.scalar(
            select(model)
            .where(
                model.id == ident,
                model.org_id == self.scope.org_id,
                model.space_id == self.scope.space_id,
            )
            .with_for_update()
        )
        label = model.__name__
        if entity is None:
            raise NotFound(f"{label} '{ident}' not found", code=f"{label.lower()}_not_found")
        self.scope.require(f"{model.__tablename__}:update")
        entity.status = body["status"]
        payload = body.get("payload") or {}
        if model is Connector and isinstance(payload.get("files"), dict):
            entity.scan = {**entity.scan, "files": payload["files"], "status": body["status"]}
        if model is Training and isinstance(payload.get("metrics"), list):
            entity.metrics = [m for m in payload["metrics"] if isinstance(m, dict)]
        entity.updated_at = utcnow()
        return {label.lower(): str(entity.id), "status": body["status"]}


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
