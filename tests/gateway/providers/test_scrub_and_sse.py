"""Credential scrubbing and SSE framing, the two pieces of text handling everything relies on."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spacegate.gateway.providers.scrub import REDACTED, scrub
from spacegate.gateway.providers.sse import EventBuffer, split_events

KEY = "sk-ant-api03-Hq7Lw2Zp9XcVb4Nm8Rt6Yu1Io3Pa5Sd"


@pytest.mark.parametrize(
    "text",
    [
        f"Invalid key {KEY}.",
        f"Incorrect API key provided: {KEY[:7]}**********{KEY[-4:]}.",
        f"key fragment {KEY[10:30]} seen",
        "Authorization: Bearer abcdef123456789",
        "other provider key sk-proj-abcdefgh12345678 leaked",
        "url https://user:hunter2@api.example.com/v1 failed",
        "query ?api_key=zzzz9999 refused",
        "azure key 0123456789abcdef0123456789abcdef rejected",
    ],
)
def test_secrets_are_removed(text: str) -> None:
    clean = scrub(text, KEY)
    assert REDACTED in clean
    for secret in (KEY, KEY[10:30], "abcdef123456789", "abcdefgh12345678", "hunter2", "zzzz9999"):
        assert secret not in clean
    assert "0123456789abcdef0123456789abcdef" not in clean


def test_ordinary_text_is_kept() -> None:
    text = "The model 'gpt-4o' does not support max_tokens above 4096. See the documentation."
    assert scrub(text, KEY) == text


EVENTS = [
    b'data: {"choices":[{"delta":{"content":"a"}}],"usage":null}\n\n',
    b"event: ping\ndata: {}\n\n",
    b'data: {"choices":[],"usage":{"prompt_tokens":1}}\n\n',
    b"data: [DONE]\n\n",
]


@given(st.lists(st.integers(min_value=0, max_value=sum(map(len, EVENTS))), max_size=12))
def test_event_buffer_only_ever_returns_whole_events(cuts: list[int]) -> None:
    stream = b"".join(EVENTS)
    points = sorted({0, *cuts, len(stream)})
    buffer = EventBuffer()
    out: list[bytes] = []
    for start, end in itertools.pairwise(points):
        block = buffer.feed(stream[start:end])
        if block:
            assert block.endswith(b"\n\n")
            out.extend(split_events(block))
    assert buffer.rest() == b""
    assert out == EVENTS


def test_crlf_streams_are_framed_too() -> None:
    buffer = EventBuffer()
    assert buffer.feed(b"data: 1\r\n\r\ndata: ") == b"data: 1\n\n"
    assert buffer.feed(b"2\r\n\r\n") == b"data: 2\n\n"
