"""``Idempotency-Key`` for POSTs: claim, replay, or refuse.

The claim is committed in its own short transaction, so a concurrent retry sees it and gets 409.
The response is stored by the request's own transaction, together with the work it describes, so
a crash leaves either both or neither. A claim whose request failed is released; a claim whose
process died is taken over once ``idempotency_lock_seconds`` have passed.

A stored response can hold a secret shown once (a new API key, an invitation token), so it is
kept encrypted (AES-GCM under a key derived from the server secret, bound to its org and row)
and replayed only to the API key that made the request.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import Request, Response
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.errors import BadRequest, Conflict, Unprocessable
from spacegate.kit.clock import utcnow
from spacegate.kit.crypto import CredentialCipher, CredentialUnreadable, cipher_for
from spacegate.models import IdempotencyKey
from spacegate.runtime import Runtime

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_STORED_HEADERS = ("content-type", "location")
#: Marks a sealed stored body (bodies stored in clear by earlier versions start with JSON).
_SEALED = b"\x01"


class Replay(Exception):
    """Raised from the dependency to short-circuit the handler with a stored response."""

    def __init__(self, response: Response) -> None:
        self.response = response


@dataclass
class Claim:
    row_id: uuid.UUID
    org_id: uuid.UUID
    cipher: CredentialCipher

    async def release(self, runtime: Runtime) -> None:
        async with runtime.write_sessions() as s, s.begin():
            await s.execute(
                delete(IdempotencyKey).where(
                    IdempotencyKey.id == self.row_id, IdempotencyKey.response_status.is_(None)
                )
            )


def validate_key(key: str) -> str:
    """The key as stored; refuse anything but 1-255 printable ASCII characters.

    The IETF draft defines the header as a structured-field string (``"abc"``); clients that
    follow it and clients that send the bare value mean the same key.
    """
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not 1 <= len(key) <= 255 or not all(32 <= ord(c) < 127 for c in key):
        raise BadRequest(
            "Idempotency-Key must be 1 to 255 printable ASCII characters.",
            code="invalid_idempotency_key",
        )
    return key


def fingerprint(
    method: str, path: str, body: bytes, caller: str = "", content_type: str | None = None
) -> str:
    """The request a key was first used with. The caller (the API key) is part of it: a stored
    answer can hold a secret (a new API key), so only the key that made it can replay it.
    A multipart body is compared without its boundary, which clients draw afresh per attempt."""
    boundary = _boundary(content_type)
    if boundary:
        canonical = body.replace(boundary, b"")
    else:
        try:
            canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
        except ValueError:
            canonical = body
    head = f"{caller}\n{method} {path}\n".encode()
    return hashlib.sha256(head + canonical).hexdigest()


def _boundary(content_type: str | None) -> bytes | None:
    if not content_type or not content_type.lower().startswith("multipart/"):
        return None
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "boundary" and value.strip('"'):
            return value.strip('"').encode("latin-1", "replace")
    return None


async def claim(
    runtime: Runtime,
    request: Request,
    org_id: uuid.UUID,
    key: str,
    caller: str = "",
    *,
    lock_seconds: int | None = None,
) -> Claim:
    """Claim ``key`` for this request, or raise Replay / Conflict / Unprocessable.

    ``lock_seconds``: how long the claim blocks retries (default: the setting), for requests that
    may legitimately run longer (a gateway call).
    """
    key = validate_key(key)
    cipher = _cipher(runtime)
    fp = fingerprint(
        request.method,
        request.url.path,
        await request.body(),
        caller,
        request.headers.get("content-type"),
    )
    lock_window = timedelta(seconds=lock_seconds or runtime.settings.idempotency_lock_seconds)
    for _ in range(3):
        async with runtime.write_sessions() as s, s.begin():
            row = await s.scalar(
                select(IdempotencyKey).where(
                    IdempotencyKey.org_id == org_id, IdempotencyKey.key == key
                )
            )
            now = utcnow()
            if row is None:
                row = IdempotencyKey(org_id=org_id, key=key, fingerprint=fp, locked_at=now)
                s.add(row)
                try:
                    await s.flush()
                except IntegrityError:  # a concurrent request inserted it first: look again
                    await s.rollback()
                    continue
                return Claim(row.id, org_id, cipher)
            if row.fingerprint != fp:
                raise Unprocessable(
                    "This Idempotency-Key was already used with a different request.",
                    code="idempotency_key_reused",
                )
            if row.response_status is not None:
                raise Replay(_replay(row, cipher))
            if row.locked_at is not None and row.locked_at > now - lock_window:
                raise Conflict(
                    "A request with this Idempotency-Key is still in progress; retry shortly.",
                    code="idempotency_key_in_use",
                    headers={"Retry-After": "1"},
                )
            taken = await s.execute(
                update(IdempotencyKey)
                .where(IdempotencyKey.id == row.id, IdempotencyKey.locked_at == row.locked_at)
                .values(locked_at=now)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                return Claim(row.id, org_id, cipher)
    raise Conflict(
        "A request with this Idempotency-Key is still in progress; retry shortly.",
        code="idempotency_key_in_use",
        headers={"Retry-After": "1"},
    )


def _cipher(runtime: Runtime) -> CredentialCipher:
    # Its own key: the server secret extended with this use's name, so a stored response and a
    # provider credential are never sealed under the same key.
    return cipher_for(runtime.settings.resolved_secret_key + b"\x00idempotency")


def _seal(cipher: CredentialCipher, claim_: Claim, body: bytes) -> bytes:
    text = body.decode("utf-8", "surrogateescape")
    return _SEALED + cipher.encrypt(text, org_id=claim_.org_id, row_id=claim_.row_id)


def _open(cipher: CredentialCipher, row: IdempotencyKey) -> bytes:
    blob = row.response_body or b""
    if not blob.startswith(_SEALED):
        return blob  # stored in clear before responses were sealed
    try:
        text = cipher.decrypt(blob[1:], org_id=row.org_id, row_id=row.id)
    except CredentialUnreadable:  # the server secret changed since: the answer is gone
        raise Conflict(
            "The stored answer of this Idempotency-Key can no longer be read; use a new key.",
            code="idempotency_key_unreadable",
        ) from None
    return text.encode("utf-8", "surrogateescape")


def _replay(row: IdempotencyKey, cipher: CredentialCipher) -> Response:
    headers: dict[str, Any] = dict(row.response_headers or {})
    headers[REPLAYED_HEADER] = "true"
    media_type = headers.pop("content-type", None)
    return Response(
        content=_open(cipher, row),
        status_code=row.response_status or 200,
        headers=headers,
        media_type=media_type,
    )


async def store(session: AsyncSession, claim_: Claim, response: Response) -> None:
    """Write the response onto the claimed row inside the request's transaction."""
    headers = {k: v for k, v in response.headers.items() if k.lower() in _STORED_HEADERS}
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.id == claim_.row_id)
        .values(
            response_status=response.status_code,
            response_headers=headers,
            response_body=_seal(claim_.cipher, claim_, bytes(response.body)),
            locked_at=None,
        )
    )


def is_storable(response: Response) -> bool:
    return 200 <= response.status_code < 300 and hasattr(response, "body")
