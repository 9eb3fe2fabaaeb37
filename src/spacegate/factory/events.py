"""Outbound factory events: each subscription of the space gets a signed delivery, sent by a
durable job and retried with backoff; every delivery is logged."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.kit.clock import utcnow
from spacegate.models import Job, WebhookDelivery, WebhookSubscription

DELIVERY_KIND = "factory.webhook_delivery"
#: Tries per delivery; the waits between them grow (see ``webhooks.backoff``).
DELIVERY_ATTEMPTS = 6
EVENT_TYPES = (
    "connector.scanned",
    "connector.error",
    "training.running",
    "training.succeeded",
    "training.failed",
    "training.cancelled",
    "checkpoint.created",
    "evaluation.succeeded",
    "evaluation.failed",
)


async def emit(
    session: AsyncSession,
    org_id: uuid.UUID,
    space_id: uuid.UUID,
    event_type: str,
    subject_id: uuid.UUID,
    data: dict[str, Any],
) -> int:
    """Queue a delivery of ``event_type`` to every enabled subscription that wants it."""
    subs = (
        await session.scalars(
            select(WebhookSubscription).where(
                WebhookSubscription.org_id == org_id,
                WebhookSubscription.space_id == space_id,
                WebhookSubscription.enabled.is_(True),
            )
        )
    ).all()
    count = 0
    for sub in subs:
        if sub.events and event_type not in sub.events:
            continue
        delivery = WebhookDelivery(
            org_id=org_id,
            space_id=space_id,
            subscription_id=sub.id,
            event_type=event_type,
            payload={
                "type": event_type,
                "timestamp": utcnow().isoformat().replace("+00:00", "Z"),
                "data": {"id": str(subject_id), **data},
            },
        )
        session.add(delivery)
        await session.flush()
        # Written as a row rather than through jobs.enqueue: an event has no caller to act as.
        job = Job(
            org_id=org_id,
            space_id=space_id,
            kind=DELIVERY_KIND,
            subject_id=delivery.id,
            max_attempts=DELIVERY_ATTEMPTS,
        )
        session.add(job)
        await session.flush()
        delivery.job_id = job.id
        count += 1
    return count
