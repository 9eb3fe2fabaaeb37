"""Just enough Server-Sent Events handling to pass streams through without re-encoding them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from spacegate.gateway.providers.errors import ProviderError

DONE = b"data: [DONE]\n\n"

# Generated text in OpenAI chunks (chat deltas, tool-call arguments, legacy completions), for
# the estimate when upstream reports no usage. Matching raw bytes avoids decoding each chunk.
_OUTPUT = re.compile(rb'"(?:content|arguments|text)"\s*:\s*"((?:[^"\\]|\\.)*)"')


class EventBuffer:
    """Cuts a byte stream into whole events (an event ends with a blank line).

    ``feed`` returns every complete event received so far as one bytes object, untouched, and
    keeps the incomplete tail for the next call: forwarding only whole events means a chunk we
    drop or rewrite never leaves half an event behind.
    """

    __slots__ = ("_tail",)

    def __init__(self) -> None:
        self._tail = b""

    def feed(self, chunk: bytes) -> bytes:
        if b"\r" in chunk:
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        data = self._tail + chunk if self._tail else chunk
        cut = data.rfind(b"\n\n")
        if cut < 0:
            self._tail = data
            return b""
        self._tail = data[cut + 2 :]
        return data if not self._tail else data[: cut + 2]

    def rest(self) -> bytes:
        """Whatever was left unterminated when the stream ended."""
        tail, self._tail = self._tail, b""
        return tail


def split_events(block: bytes) -> Iterator[bytes]:
    """The events of a block returned by ``EventBuffer.feed``, each with its blank line."""
    for event in block.split(b"\n\n"):
        if event.strip():
            yield event + b"\n\n"


def event_fields(event: bytes) -> tuple[str | None, bytes]:
    """(event name, data) of one event; multi-line data is joined as the SSE spec says."""
    name: str | None = None
    data: list[bytes] = []
    for line in event.split(b"\n"):
        if line.startswith(b"data:"):
            data.append(line[6:] if line[5:6] == b" " else line[5:])
        elif line.startswith(b"event:"):
            name = line[6:].strip().decode("utf-8", "replace")
    return name, b"\n".join(data)


def data_event(payload: Any) -> bytes:
    return b"data: " + orjson.dumps(payload) + b"\n\n"


def error_event(exc: ProviderError) -> bytes:
    return data_event(exc.body())


def output_chars(block: bytes) -> int:
    return sum(len(m) for m in _OUTPUT.findall(block))
