"""Token chunks with overlap. Tokens are estimated as the gateway estimates them (about four
characters each, at least one per word): no tokenizer download, and the same count budgets see."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from spacegate.rag.parsing import Section

_WORD = re.compile(r"\S+")
CHARS_PER_TOKEN = 4


def estimate_tokens(text: str) -> int:
    return sum(max(1, -(-len(w) // CHARS_PER_TOKEN)) for w in _WORD.findall(text))


@dataclass
class Chunk:
    position: int
    content: str
    tokens: int
    meta: dict[str, Any]


def chunk(sections: list[Section], size: int, overlap: int) -> list[Chunk]:
    """Chunks of at most ``size`` tokens (a longer single word stands alone), each starting
    ``overlap`` tokens before the previous one ended; positions run across the sections."""
    out: list[Chunk] = []
    for section in sections:
        words = _WORD.findall(section.text)
        costs = [max(1, -(-len(w) // CHARS_PER_TOKEN)) for w in words]
        start = 0
        while start < len(words):
            end, total = start, 0
            while end < len(words) and (total + costs[end] <= size or end == start):
                total += costs[end]
                end += 1
            out.append(Chunk(len(out), " ".join(words[start:end]), total, dict(section.meta)))
            if end >= len(words):
                break
            # Step back over ``overlap`` tokens, always moving forward by at least one word.
            back, kept = end, 0
            while back > start + 1 and kept + costs[back - 1] <= overlap:
                back -= 1
                kept += costs[back]
            start = back
    return out
