"""Opaque, tamper-evident keyset cursors.

A cursor is the JSON position of the last row seen, signed with the server secret (HMAC-SHA256,
truncated) and base64url-encoded. Garbage or edited cursors are refused with 400, never a 500.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from spacegate.errors import BadRequest

_SIG_LEN = 12


class CursorCodec:
    def __init__(self, secret: bytes) -> None:
        self._key = hashlib.sha256(b"spacegate-cursor:" + secret).digest()

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_SIG_LEN]

    def encode(self, scope: str, position: list[Any]) -> str:
        payload = json.dumps([scope, position], separators=(",", ":")).encode()
        raw = self._sign(payload) + payload
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, scope: str, cursor: str) -> list[Any]:
        """Return the position; raise 400 if the cursor was not made by us for this list."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (ValueError, TypeError):
            raise invalid_cursor() from None
        sig, payload = raw[:_SIG_LEN], raw[_SIG_LEN:]
        if len(sig) != _SIG_LEN or not hmac.compare_digest(sig, self._sign(payload)):
            raise invalid_cursor()
        try:
            got_scope, position = json.loads(payload)
        except (ValueError, TypeError):
            raise invalid_cursor() from None
        if got_scope != scope or not isinstance(position, list):
            raise invalid_cursor()
        return position


def invalid_cursor(param: str | None = None) -> BadRequest:
    """The 400 of a bad cursor; ``param`` names the parameter of a list that also takes ids."""
    if param is None:
        message = "The pagination cursor is invalid or was not issued for this list."
    else:
        message = (
            f"`{param}` is neither a cursor issued for this list nor the id of one of its items."
        )
    return BadRequest(message, code="invalid_cursor")
