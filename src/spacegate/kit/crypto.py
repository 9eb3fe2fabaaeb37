"""Encryption of stored credentials: AES-256-GCM under a key derived from the server secret.

The associated data names the org and the row a ciphertext belongs to, so a ciphertext copied to
another row (or another org) no longer authenticates. ``key_version`` is stored next to each
ciphertext so a future rotation can tell old rows from new ones.
"""

from __future__ import annotations

import functools
import os
import re
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from spacegate.errors import AppError

KEY_VERSION = 1
_NONCE_LEN = 12
_SALT = b"spacegate/credentials"


class CredentialUnreadable(AppError):
    """A stored credential does not decrypt: wrong server secret, or not this row's ciphertext."""

    status_code = 500
    code = "credential_unreadable"

    def __init__(self) -> None:
        super().__init__(
            "The stored credential of this provider connection cannot be read; set it again."
        )


def derive_key(secret: bytes, version: int = KEY_VERSION) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=_SALT,
        info=b"spacegate credentials v%d" % version,
    ).derive(secret)


def _aad(org_id: uuid.UUID, row_id: uuid.UUID, version: int) -> bytes:
    return b"spacegate:v%d:%s:%s" % (
        version,
        org_id.bytes.hex().encode(),
        row_id.bytes.hex().encode(),
    )


class CredentialCipher:
    """Seals and opens credentials for one server secret."""

    def __init__(self, secret: bytes) -> None:
        self._keys = {KEY_VERSION: AESGCM(derive_key(secret, KEY_VERSION))}

    def encrypt(self, plaintext: str, *, org_id: uuid.UUID, row_id: uuid.UUID) -> bytes:
        """``nonce || ciphertext+tag``, bound to ``org_id`` and ``row_id``, under KEY_VERSION."""
        nonce = os.urandom(_NONCE_LEN)
        sealed = self._keys[KEY_VERSION].encrypt(
            nonce, plaintext.encode(), _aad(org_id, row_id, KEY_VERSION)
        )
        return nonce + sealed

    def decrypt(
        self,
        blob: bytes,
        *,
        org_id: uuid.UUID,
        row_id: uuid.UUID,
        key_version: int = KEY_VERSION,
    ) -> str:
        aead = self._keys.get(key_version)
        if aead is None or len(blob) <= _NONCE_LEN:
            raise CredentialUnreadable()
        try:
            plain = aead.decrypt(
                blob[:_NONCE_LEN], blob[_NONCE_LEN:], _aad(org_id, row_id, key_version)
            )
        except InvalidTag:
            raise CredentialUnreadable() from None
        return plain.decode()


_PREFIX = re.compile(r"^(?:[A-Za-z]{1,5}[-_]){1,2}")


def mask_secret(secret: str) -> str:
    """A hint such as ``sk-…abcd``: a short vendor prefix and at most the last four characters.

    Short secrets show no characters at all, since four of them would be a large share.
    """
    secret = secret.strip()
    prefix_match = _PREFIX.match(secret)
    prefix = prefix_match.group(0) if prefix_match else ""
    rest = secret[len(prefix) :]
    if len(rest) < 12:
        return prefix + "…" if len(rest) >= 8 else "…"
    return f"{prefix}…{rest[-4:]}"


@functools.lru_cache(maxsize=4)
def cipher_for(secret: bytes) -> CredentialCipher:
    """One cipher per server secret, so the key is derived once per process, not per request."""
    return CredentialCipher(secret)
