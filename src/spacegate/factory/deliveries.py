"""Sending one delivery: signed (Standard Webhooks), no redirects, the URL checked again; a
failure is tried again later, each wait twice the last, until the tries are spent."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import orjson

from spacegate import jobs
from spacegate.errors import AppError
from spacegate.factory import signing
from spacegate.factory.connectors import checked
from spacegate.factory.events import DELIVERY_KIND
from spacegate.factory.work import edge_of, row_of
from spacegate.jobs import JobContext, RetryLater
from spacegate.kit.clock import utcnow
from spacegate.models import WebhookDelivery, WebhookSubscription

#: Seconds before the second try; each later wait doubles, up to an hour.
BACKOFF_BASE = 10.0
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def backoff(attempt: int) -> float:
    return float(min(BACKOFF_BASE * 2 ** max(attempt - 1, 0), 3600.0))


@jobs.handler(DELIVERY_KIND)
async def deliver(ctx: JobContext) -> dict[str, Any]:
    edge = edge_of(ctx.runtime)
    async with ctx.runtime.read_sessions() as s:
        delivery = await row_of(s, ctx, WebhookDelivery, ctx.subject_id)
        sub = (
            await row_of(s, ctx, WebhookSubscription, delivery.subscription_id)
            if delivery
            else None
        )
        if delivery is None or sub is None or not sub.enabled:
            return {"skipped": "subscription gone or disabled"}
        secret = edge.cipher.decrypt(sub.secret_ciphertext, org_id=sub.org_id, row_id=sub.id)
        url, payload = sub.url, delivery.payload
    body = orjson.dumps(payload)
    status: int | None = None
    error: str | None = None
    try:
        await checked(url, edge, "url")
        headers = {
            **signing.headers(secret, f"msg_{delivery.id}", body),
            "content-type": "application/json",
            "user-agent": "Spacegate-Webhooks/1",
        }
        async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as http:
            r = await http.post(url, content=body, headers=headers)
        status = r.status_code
        if not 200 <= status < 300:
            error = f"The endpoint answered {status}."
    except AppError as exc:
        error = exc.message
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
    last_try = ctx.attempts >= (await _max_attempts(ctx))
    outcome = "delivered" if error is None else ("failed" if last_try else "pending")
    await _record(ctx, delivery.id, outcome, status, error)
    if outcome == "pending":
        raise RetryLater(error or "not delivered", backoff(ctx.attempts))
    return {"status": outcome, "response_status": status, "error": error}


async def _max_attempts(ctx: JobContext) -> int:
    from spacegate.models import Job

    async with ctx.runtime.read_sessions() as s:
        job = await s.get(Job, ctx.id)
        return job.max_attempts if job is not None else 1


async def _record(
    ctx: JobContext, delivery_id: uuid.UUID, outcome: str, status: int | None, error: str | None
) -> None:
    async with ctx.runtime.write_sessions() as s, s.begin():
        delivery = await row_of(s, ctx, WebhookDelivery, delivery_id)
        if delivery is not None:
            delivery.status, delivery.response_status, delivery.error = outcome, status, error
            delivery.attempts = ctx.attempts
            delivery.updated_at = utcnow()
