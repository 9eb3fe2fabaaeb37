"""The history window: the most recent messages of a chat that fit a token budget.

The same window is what a turn sends upstream, so a long chat never overflows the model's
context. Tokens are estimated as the gateway estimates them (about four characters a token).
"""

from __future__ import annotations

from typing import Any

from spacegate.gateway.providers.usage import estimate_prompt

#: Assumed when a model registers no context window.
DEFAULT_CONTEXT = 8192
#: Kept free for the answer when the turn names no ``max_tokens``.
ANSWER_RESERVE = 1024


def tokens(messages: list[dict[str, Any]]) -> int:
    return estimate_prompt("chat.completions", {"messages": messages}) if messages else 0


def budget(
    context_window: int | None,
    *,
    max_tokens: int | None = None,
    cap: int | None = None,
    system: list[dict[str, Any]] | None = None,
) -> int:
    """History tokens a turn may send: the context, less the answer's room and the system text,
    at most ``cap`` (the space's ``window_max_tokens``)."""
    context = context_window or DEFAULT_CONTEXT
    room = context - (max_tokens or min(ANSWER_RESERVE, context // 4)) - tokens(system or [])
    if cap is not None:
        room = min(room, cap)
    return max(room, 0)


def window(
    messages: list[dict[str, Any]], max_tokens: int, *, limit: int | None = None
) -> list[dict[str, Any]]:
    """The newest messages (at most ``limit``) whose estimated tokens fit ``max_tokens``.

    The newest message is always kept, so a turn is never sent empty. A window never starts with
    a tool result whose call fell out of it (providers refuse orphan tool messages).
    """
    kept: list[dict[str, Any]] = []
    used = 0
    for message in reversed(messages):
        if limit is not None and len(kept) >= limit:
            break
        cost = tokens([message])
        if kept and used + cost > max_tokens:
            break
        kept.append(message)
        used += cost
    kept.reverse()
    while len(kept) > 1 and kept[0].get("role") == "tool":
        kept.pop(0)
    return kept
