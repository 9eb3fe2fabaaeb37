"""Signing in to the console: the API key, sealed in an HTTP-only cookie.

The cookie holds the key and a CSRF token, encrypted and authenticated (AES-256-GCM under a key
derived from the server secret), so a session survives restarts and works on every replica without
server-side state, and its content is unreadable in the browser. Signing out drops the cookie;
revoking the key ends every console session of it at the next page.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

COOKIE = "sg_console"
PATH = "/console"
MAX_AGE = 12 * 3600  # seconds a sign-in lasts
_NONCE = 12
_AAD = b"spacegate console session v1"


@dataclass(frozen=True)
class ConsoleSession:
    api_key: str
    csrf: str
    issued_at: int

    @classmethod
    def new(cls, api_key: str) -> ConsoleSession:
        return cls(api_key=api_key, csrf=secrets.token_urlsafe(32), issued_at=int(time.time()))

    def csrf_ok(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token.encode(), self.csrf.encode())


class SessionSealer:
    """Turns a ``ConsoleSession`` into a cookie value and back; ``None`` for anything forged,
    tampered with, sealed under another secret, or older than ``MAX_AGE``."""

    def __init__(self, secret: bytes) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"spacegate/console", info=_AAD)
        self._aead = AESGCM(key.derive(secret))

    def seal(self, session: ConsoleSession) -> str:
        nonce = os.urandom(_NONCE)
        plain = json.dumps([session.api_key, session.csrf, session.issued_at]).encode()
        sealed = nonce + self._aead.encrypt(nonce, plain, _AAD)
        return base64.urlsafe_b64encode(sealed).decode().rstrip("=")

    def open(self, value: str | None, *, now: float | None = None) -> ConsoleSession | None:
        if not value or len(value) > 4096:
            return None
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            plain = self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], _AAD)
            api_key, csrf, issued_at = json.loads(plain)
        except (InvalidTag, ValueError, binascii.Error, TypeError):
            return None
        if not isinstance(issued_at, int) or (now or time.time()) - issued_at > MAX_AGE:
            return None
        return ConsoleSession(api_key=str(api_key), csrf=str(csrf), issued_at=issued_at)
