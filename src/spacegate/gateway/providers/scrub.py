"""Remove credentials from upstream text before any of it reaches a client or a log.

Providers echo keys back in error messages, whole or masked (``sk-abc1****wxyz``). We remove the
exact key, any long fragment of it, masked forms, and tokens that look like secrets of any
provider, because the key a target holds is not the only one an upstream might echo.
"""

from __future__ import annotations

import re

REDACTED = "[redacted]"

# Masked secrets: something, at least three asterisks or bullets, something.
_MASKED = re.compile(r"[A-Za-z0-9_\-.]*(?:\*{3,}|•{3,}|\.{3,}(?=[A-Za-z0-9]))[A-Za-z0-9_\-]*")
# Well-known key shapes: sk-..., sk-ant-..., sk-proj-..., Bearer tokens, key=... query values.
_KNOWN = re.compile(
    r"(?:\b(?:sk|pk|rk|ak|sess|key|token)[-_][A-Za-z0-9_\-]{6,})"
    r"|(?:(?i:bearer)\s+[A-Za-z0-9_\-.=+/]{6,})"
    r"|(?:(?i:api[-_]?key|key|token|secret|password)=[^\s&\"']+)"
    r"|(?://[^/\s:@]+:[^/\s@]+@)",
)
# Any other run that could be a secret: long and mixing letters with digits.
_TOKEN = re.compile(r"[A-Za-z0-9_\-+/=]{20,}")
_WORD = re.compile(r"[A-Za-z0-9_\-+/=.]{8,}")

#: Fragments of the key shorter than this are too common to be worth removing.
_MIN_FRAGMENT = 8


def _looks_secret(token: str) -> bool:
    return any(c.isdigit() for c in token) and any(c.isalpha() for c in token)


def scrub(text: str, key: str | None) -> str:
    if not text:
        return text
    if key:
        text = text.replace(key, REDACTED)
    text = _MASKED.sub(REDACTED, text)
    text = _KNOWN.sub(REDACTED, text)
    text = _TOKEN.sub(lambda m: REDACTED if _looks_secret(m.group()) else m.group(), text)
    if key and len(key) >= _MIN_FRAGMENT:
        text = _WORD.sub(lambda m: REDACTED if _is_fragment(m.group(), key) else m.group(), text)
    return text


def _is_fragment(word: str, key: str) -> bool:
    word = word.strip(".")
    return len(word) >= _MIN_FRAGMENT and word in key
