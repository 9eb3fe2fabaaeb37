"""Webhook signatures in the Standard Webhooks scheme (the one Svix uses).

The signed content is ``"{id}.{timestamp}.{body}"``, the signature ``v1,<base64 HMAC-SHA256>``
under the secret's bytes (``whsec_<base64>``). A receiver refuses a timestamp outside the
tolerance (replays) and compares in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from spacegate.errors import Unauthorized

PREFIX = "whsec_"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, msg_id: str, body: bytes, now: int | None = None) -> dict[str, str]:
    ts = int(time.time()) if now is None else now
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(ts),
        "webhook-signature": sign(secret, msg_id, ts, body),
    }


def verify(
    secret: str,
    body: bytes,
    msg_id: str | None,
    timestamp: str | None,
    signature: str | None,
    now: int | None = None,
) -> None:
    """Raise 401 ``invalid_signature`` unless one of ``signature``'s ``v1`` entries matches."""
    if not msg_id or not timestamp or not signature:
        raise Unauthorized(
            "Sign the webhook: send webhook-id, webhook-timestamp and webhook-signature.",
            code="signature_required",
        )
    try:
        ts = int(timestamp)
    except ValueError:
        raise Unauthorized(
            "webhook-timestamp must be Unix seconds.", code="invalid_signature"
        ) from None
    current = int(time.time()) if now is None else now
    if abs(current - ts) > TOLERANCE_SECONDS:
        raise Unauthorized(
            f"webhook-timestamp is more than {TOLERANCE_SECONDS} seconds away from now.",
            code="signature_expired",
        )
    expected = sign(secret, msg_id, ts, body).encode()
    for candidate in signature.split():
        if hmac.compare_digest(candidate.encode(), expected):
            return
    raise Unauthorized("The webhook signature does not match its body.", code="invalid_signature")
