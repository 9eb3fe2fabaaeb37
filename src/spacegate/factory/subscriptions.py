"""Outbound webhook subscriptions (ours): where a space's factory events are delivered.

The signing secret is shown once, when the subscription is made; it is stored encrypted.
"""

from __future__ import annotations

from typing import Any

from spacegate.errors import Unprocessable
from spacegate.factory import signing
from spacegate.factory.connectors import ConnectorEdge, checked
from spacegate.factory.events import EVENT_TYPES
from spacegate.kit.ids import uuid7
from spacegate.models import WebhookDelivery, WebhookSubscription
from spacegate.resources import ResourceService, ResourceSpec


class SubscriptionService(ResourceService[WebhookSubscription]):
    model = WebhookSubscription
    spec = ResourceSpec(label="Webhook subscription", permission="webhooks", name="webhook")
    edge: ConnectorEdge | None = None
    #: The secret made by the last create, returned once.
    new_secret: str | None = None

    def bound(self, edge: ConnectorEdge) -> SubscriptionService:
        self.edge = edge
        return self

    async def validate(
        self, values: dict[str, Any], current: WebhookSubscription | None
    ) -> dict[str, Any]:
        if self.edge is None:
            raise RuntimeError("SubscriptionService needs its edge for this")
        unknown = [e for e in values.get("events") or [] if e not in EVENT_TYPES]
        if unknown:
            raise Unprocessable(
                f"Unknown event types: {', '.join(unknown)}; known: {', '.join(EVENT_TYPES)}.",
                code="unknown_event_type",
                extra={"param": "events"},
            )
        if values.get("url") is not None:
            values["url"] = await checked(values["url"], self.edge, "url")
        if current is None:
            values["id"] = uuid7()
            self.new_secret = signing.new_secret()
            values["secret_ciphertext"] = self.edge.cipher.encrypt(
                self.new_secret, org_id=self.scope.org_id, row_id=values["id"]
            )
        return values


class DeliveryService(ResourceService[WebhookDelivery]):
    model = WebhookDelivery
    spec = ResourceSpec(
        label="Webhook delivery",
        permission="webhooks",
        name="webhook_delivery",
        permissions={"list": "webhooks:get", "get": "webhooks:get"},
    )
