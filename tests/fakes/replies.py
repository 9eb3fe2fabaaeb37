"""The fake provider's deterministic answers, shared by every wire format it speaks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def words(text: str) -> int:
    return len(text.split())


def text_of(content: Any) -> str:
    """Text of OpenAI or Anthropic message content (a string or a list of parts/blocks)."""
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for part in content or ():
        if isinstance(part, dict):
            if part.get("type") == "text":
                parts.append(str(part.get("text", "")))
            elif part.get("type") == "tool_result":
                parts.append(text_of(part.get("content")))
    return " ".join(parts)


@dataclass(frozen=True)
class Reply:
    text: str
    #: "stop", "length" or "stop_sequence" (the last is "stop" in OpenAI's terms).
    finish: str
    stop_sequence: str | None = None

    @property
    def pieces(self) -> list[str]:
        """The text as streamed: one word per chunk, spaces kept."""
        out = self.text.split(" ")
        return [w + " " for w in out[:-1]] + [out[-1]] if out else []


def echo(prompt: str, *, max_tokens: Any = None, stop: Any = None) -> Reply:
    text = f"Echo: {prompt}"
    for sequence in [stop] if isinstance(stop, str) else stop or ():
        if sequence and sequence in text:
            return Reply(text[: text.index(sequence)], "stop_sequence", sequence)
    if isinstance(max_tokens, int) and max_tokens < words(text):
        return Reply(" ".join(text.split()[:max_tokens]), "length")
    return Reply(text, "stop")
