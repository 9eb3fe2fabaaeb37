"""API key format: ``sg_`` + 32 base62 random characters (~190 bits) + 6 base62 CRC32 characters.

The checksum lets us refuse mistyped or made-up keys before touching the database; only the
SHA-256 of the whole key is stored (the key's entropy makes a slow hash pointless).
"""

from __future__ import annotations

import hashlib
import secrets
import zlib

PREFIX = "sg_"
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BODY_LEN = 32
_CHECK_LEN = 6
KEY_LEN = len(PREFIX) + _BODY_LEN + _CHECK_LEN


def _base62(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 62)
        out.append(_ALPHABET[r])
    return "".join(reversed(out))


def _check(body: str) -> str:
    return _base62(zlib.crc32(body.encode()), _CHECK_LEN)


def generate() -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(_BODY_LEN))
    return PREFIX + body + _check(body)


def is_well_formed(key: str) -> bool:
    """Shape and checksum only: cheap, constant work, no I/O."""
    if len(key) != KEY_LEN or not key.startswith(PREFIX):
        return False
    body = key[len(PREFIX) : len(PREFIX) + _BODY_LEN]
    if any(c not in _ALPHABET for c in body):
        return False
    return secrets.compare_digest(key[-_CHECK_LEN:], _check(body))


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def display_prefix(key: str) -> str:
    """What lists show so a person can tell keys apart: ``sg_AbCd…`` and the last four."""
    return f"{key[:7]}…{key[-4:]}"
