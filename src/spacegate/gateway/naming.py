"""Answers name the model as the caller knows it (its alias), never the provider's model id: an
upstream name leaks which provider and model sit behind an alias, and breaks a client's own cost
tracking by alias. The log row keeps the upstream name (``upstream_model``).

The rewrite works on the bytes as they are forwarded, without decoding them: a ``"model"`` key
with a string value. Text inside a JSON string cannot match, its quotes being escaped (``\\"``).
"""

from __future__ import annotations

import re

import orjson

# A JSON string, "unrolled" (runs of plain characters between escapes): no backtracking.
_MODEL = re.compile(rb'"model"\s*:\s*"[^"\\]*(?:\\.[^"\\]*)*"')


def model_field(alias: str) -> bytes:
    """The ``"model"`` member as answers carry it, made once per call (as a replacement
    template: its backslashes doubled)."""
    return (b'"model":' + orjson.dumps(alias)).replace(b"\\", b"\\\\")


def renamed(raw: bytes, field: bytes) -> bytes:
    """``raw`` (a JSON body, or whole SSE events) with every ``"model"`` member set to
    ``field`` (from ``model_field``)."""
    if b'"model"' not in raw:
        return raw
    return _MODEL.sub(field, raw)
