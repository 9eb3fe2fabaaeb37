"""Inbound status webhooks (signed, replay window, once per message) and outbound
subscriptions (signed deliveries, retried with backoff, logged)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from spacegate.factory import deliveries, signing
from tests.factory.conftest import Bucket
from tests.factory.flow import credit_setup, post, training_body, wait_for

pytestmark = pytest.mark.usefixtures("private_networks")


async def _secret(client: httpx.AsyncClient, h: dict[str, str]) -> str:
    r = await client.get("/v1/webhooks/secret", headers=h)
    assert r.status_code == 200, r.text
    secret: str = r.json()["secret"]
    return secret


def _signed(secret: str, body: dict[str, Any], msg_id: str, now: int | None = None) -> Any:
    raw = json.dumps(body).encode()
    return raw, {
        **signing.headers(secret, msg_id, raw, now=now),
        "content-type": "application/json",
    }


async def test_a_signed_update_changes_the_connector_once(
    client: httpx.AsyncClient, space: dict[str, str], bucket: Bucket
) -> None:
    setup = await credit_setup(client, space, bucket, rows=40)
    secret = await _secret(client, space)
    body = {
        "id": setup["connector"],
        "event": "updated",
        "name": "lake",
        "payload": {"files": {"credit/train.csv": {"row_count": 40}}},
        "status": "scanned",
        "timestamp": "2026-12-07T05:00:00Z",
        "type": "aws-s3",
    }
    raw, headers = _signed(secret, body, "msg_1")
    r = await client.post("/v1/webhooks", content=raw, headers={**space, **headers})
    assert r.status_code == 200, r.text
    assert r.json()["id"] == setup["connector"]
    got = (await client.get(f"/v1/connectors/{setup['connector']}", headers=space)).json()
    assert got["status"] == "scanned"
    assert got["scan"]["files"]["credit/train.csv"]["row_count"] == 40

    later, later_headers = _signed(secret, {**body, "status": "error"}, "msg_1b")
    r = await client.post("/v1/webhooks", content=later, headers={**space, **later_headers})
    assert r.status_code == 200
    # The first message again (a sender's retry): answered, applied no second time.
    r = await client.post("/v1/webhooks", content=raw, headers={**space, **headers})
    assert r.status_code == 200
    assert r.headers.get("Webhook-Replayed") == "true"
    got = (await client.get(f"/v1/connectors/{setup['connector']}", headers=space)).json()
    assert got["status"] == "error"


async def test_unsigned_tampered_and_stale_webhooks_are_refused(
    client: httpx.AsyncClient, space: dict[str, str], bucket: Bucket
) -> None:
    setup = await credit_setup(client, space, bucket, rows=40)
    secret = await _secret(client, space)
    body = {"id": setup["connector"], "status": "error", "type": "aws-s3"}
    raw, headers = _signed(secret, body, "msg_2")
    r = await client.post(
        "/v1/webhooks", content=raw, headers={**space, "content-type": "application/json"}
    )
    assert r.status_code == 401 and r.json()["code"] == "signature_required"
    tampered = json.dumps({**body, "status": "scanned"}).encode()
    r = await client.post("/v1/webhooks", content=tampered, headers={**space, **headers})
    assert r.status_code == 401 and r.json()["code"] == "invalid_signature"
    wrong = {**headers, **signing.headers(signing.new_secret(), "msg_2", raw)}
    r = await client.post("/v1/webhooks", content=raw, headers={**space, **wrong})
    assert r.status_code == 401 and r.json()["code"] == "invalid_signature"
    old_raw, old = _signed(secret, body, "msg_3", now=int(time.time()) - 3600)
    r = await client.post("/v1/webhooks", content=old_raw, headers={**space, **old})
    assert r.status_code == 401 and r.json()["code"] == "signature_expired"
    got = (await client.get(f"/v1/connectors/{setup['connector']}", headers=space)).json()
    assert got["status"] == "active"
    raw, headers = _signed(secret, {**body, "status": "sleeping"}, "msg_4")
    r = await client.post("/v1/webhooks", content=raw, headers={**space, **headers})
    assert r.status_code == 422 and r.json()["code"] == "invalid_status"
    missing = {**body, "id": str(uuid.uuid4())}
    raw, headers = _signed(secret, missing, "msg_5")
    r = await client.post("/v1/webhooks", content=raw, headers={**space, **headers})
    assert r.status_code == 404


class _Receiver:
    """An HTTP endpoint on loopback that records what it is sent; answers ``codes`` in turn."""

    def __init__(self, codes: list[int]) -> None:
        self.codes = codes
        self.received: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                code = outer.codes.pop(0) if outer.codes else 200
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    r = _Receiver([500, 503])
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def quick_backoff() -> Iterator[None]:
    before = deliveries.BACKOFF_BASE
    deliveries.BACKOFF_BASE = 0.01
    yield
    deliveries.BACKOFF_BASE = before


@pytest.mark.usefixtures("quick_backoff")
async def test_training_events_are_delivered_signed_and_retried(
    client: httpx.AsyncClient, space: dict[str, str], bucket: Bucket, receiver: _Receiver
) -> None:
    sub = await post(
        client,
        space,
        "/v1/webhook-subscriptions",
        {"url": receiver.url, "events": ["training.succeeded"]},
    )
    assert sub["secret"].startswith("whsec_")
    listed = (await client.get("/v1/webhook-subscriptions", headers=space)).text
    assert sub["secret"] not in listed
    setup = await credit_setup(client, space, bucket, rows=60)
    made = await post(
        client,
        space,
        "/v1/trainings",
        training_body(setup, "logistic_regression", configuration={"checkpoints": 1}),
    )
    await wait_for(client, space, f"/v1/trainings/{made['id']}")
    log: list[Any] = []
    for _ in range(600):
        log = (
            await client.get(f"/v1/webhook-subscriptions/{sub['id']}/deliveries", headers=space)
        ).json()["data"]
        if log and log[0]["status"] != "pending":
            break
        await wait_for(client, space, f"/v1/jobs/{log[0]['job_id']}") if log else None
    assert [d["event_type"] for d in log] == ["training.succeeded"]
    assert log[0]["status"] == "delivered" and log[0]["attempts"] == 3
    assert len(receiver.received) == 3  # 500, 503, then 200
    headers, raw = receiver.received[-1]
    signing.verify(
        sub["secret"],
        raw,
        headers["webhook-id"],
        headers["webhook-timestamp"],
        headers["webhook-signature"],
    )
    event = json.loads(raw)
    assert event["type"] == "training.succeeded" and event["data"]["id"] == made["id"]
    assert {h["webhook-id"] for h, _ in receiver.received} == {headers["webhook-id"]}


async def test_subscription_urls_follow_the_ssrf_policy(
    client: httpx.AsyncClient, space: dict[str, str], runtime: Any
) -> None:
    runtime.settings.allow_private_networks = False
    try:
        r = await client.post(
            "/v1/webhook-subscriptions", json={"url": "http://169.254.169.254/x"}, headers=space
        )
    finally:
        runtime.settings.allow_private_networks = True
    assert r.status_code == 422 and r.json()["code"] == "url_not_allowed"
    r = await client.post(
        "/v1/webhook-subscriptions",
        json={"url": "https://example.com/x", "events": ["everything"]},
        headers=space,
    )
    assert r.status_code == 422 and r.json()["code"] == "unknown_event_type"
