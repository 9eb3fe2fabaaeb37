"""What a caller labels a call with (``metadata`` fields Spacegate reads, and headers), checked
before anything is sent upstream: each label is stored in the call's log, so one the log cannot
hold (too long, a NUL character, one tag too many, a value of the wrong type) is refused with a
400 naming it rather than accepted and lost.

Tags come as a list (``metadata.tags: ["a", "b"]``), as a comma-separated string (the only form
OpenAI's typed ``metadata``, a map of strings, allows: ``"a,b"``) and in the ``X-Spacegate-Tags``
header (``a, b``); all that are sent are kept, once each, in that order."""

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
        b"x-spacegate-tags",
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
        else _text(_str(own.get("purpose"), "metadata.purpose"), PURPOSE_MAX, "metadata.purpose")
    )
    step_type = (
        _text(step_header, STEP_TYPE_MAX, "X-Spacegate-Step-Type")
        if step_header
        else _text(
            _str(own.get("step_type"), "metadata.step_type"), STEP_TYPE_MAX, "metadata.step_type"
        )
    )
    tags = _tags(own.get("tags"), "metadata.tags")
    header_tags = headers.get("x-spacegate-tags")
    if header_tags:
        tags += [t for t in _tags(header_tags, "X-Spacegate-Tags") if t not in tags]
    if len(tags) > TAGS_MAX:
        raise invalid(
            f"A call takes at most {TAGS_MAX} tags, metadata.tags and X-Spacegate-Tags"
            f" together ({len(tags)} sent).",
            param="metadata.tags",
        )
    return Labels(
        purpose=purpose,
        step_type=step_type,
        type=_text(_str(own.get("type"), "metadata.type"), TYPE_MAX, "metadata.type"),
        tags=tags,
        correlation_id=_text(headers.get("x-correlation-id"), CORRELATION_MAX, "X-Correlation-ID"),
    )


def _tags(raw: object, param: str) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        items: list[object] = [t.strip() for t in raw.split(",")]
    elif isinstance(raw, list):
        items = raw
    else:
        raise invalid(
            f"'{param}' must be a list of strings or a comma-separated string.", param=param
        )
    tags: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise invalid(f"Each of '{param}' must be a string.", param=param)
        text = _text(item.strip(), TAG_MAX, param)
        if text is not None and text not in tags:
            tags.append(text)
    return tags


def _str(value: object, param: str) -> str | None:
    if value is None or isinstance(value, str):
        return value or None
    raise invalid(f"'{param}' must be a string.", param=param)
