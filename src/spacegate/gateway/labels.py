"""What a caller labels a call with (``metadata`` fields Spacegate reads, and headers), checked
before anything is sent upstream: each label is stored in the call's log, so one the log cannot
hold (too long, a NUL character) is refused with a 400 naming it rather than accepted and lost."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from spacegate.gateway.errors import invalid

#: Longest value of each label (the inference log's column sizes).
PURPOSE_MAX = 64
STEP_TYPE_MAX = 32
TYPE_MAX = 64
TAG_MAX = 64
TAGS_MAX = 20
CORRELATION_MAX = 128


@dataclass(frozen=True, slots=True)
class Labels:
    purpose: str | None
    step_type: str | None
    type: str | None
    tags: list[str]
    correlation_id: str | None


def _text(value: object, limit: int, param: str) -> str | None:
    if value is None or value == "":
        return None
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit or "\x00" in text:
        raise invalid(
            f"'{param}' must be at most {limit} characters, without NUL characters.", param=param
        )
    return text


#: The request headers the gateway reads, as they arrive (lower case).
_READ = frozenset(
    {
        b"authorization",
        b"x-api-key",
        b"x-spacegate-purpose",
        b"x-spacegate-step-type",
        b"x-correlation-id",
        b"idempotency-key",
    }
)


def gateway_headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """The headers the gateway reads, in one pass over the raw list (the first of a repeated
    one, as Starlette's ``Headers`` gives it); looking up one that was not sent costs nothing
    (``Headers.get`` raises and catches a ``KeyError`` for each)."""
    found: dict[str, str] = {}
    for name, value in raw:
        if name in _READ:
            found.setdefault(name.decode("latin-1"), value.decode("latin-1"))
    return found


def read_labels(own: Mapping[str, Any], headers: Mapping[str, str]) -> Labels:
    """``own``: the ``metadata`` keys Spacegate keeps for itself; headers win over metadata."""
    purpose_header = headers.get("x-spacegate-purpose")
    step_header = headers.get("x-spacegate-step-type")
    purpose = (
        _text(purpose_header, PURPOSE_MAX, "X-Spacegate-Purpose")
        if purpose_header
        else _text(_str(own.get("purpose")), PURPOSE_MAX, "metadata.purpose")
    )
    step_type = (
        _text(step_header, STEP_TYPE_MAX, "X-Spacegate-Step-Type")
        if step_header
        else _text(_str(own.get("step_type")), STEP_TYPE_MAX, "metadata.step_type")
    )
    raw_tags = own.get("tags")
    tags: list[str] = []
    if isinstance(raw_tags, list):
        for tag in raw_tags[:TAGS_MAX]:
            text = _text(tag, TAG_MAX, "metadata.tags")
            if text is not None:
                tags.append(text)
    return Labels(
        purpose=purpose,
        step_type=step_type,
        type=_text(_str(own.get("type")), TYPE_MAX, "metadata.type"),
        tags=tags,
        correlation_id=_text(headers.get("x-correlation-id"), CORRELATION_MAX, "X-Correlation-ID"),
    )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
