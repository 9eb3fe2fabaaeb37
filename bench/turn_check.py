"""What the copilot costs a plain OpenAI call: the chat-turn check on ``/v1/chat/completions``.

The gateway parses every body anyway; a call is a copilot turn when its top-level keys meet the
copilot's fields (``gateway.turn_hook.is_turn``). Measured here: that check on plain OpenAI bodies
(small, and with the fields a real SDK sends), against the same bodies' JSON parse the gateway
does before it, with the copilot's handler registered as in the server.
"""

from __future__ import annotations

import timeit
from pathlib import Path
from typing import Any

import orjson

BODIES: dict[str, dict[str, Any]] = {
    "minimal": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}]},
    "openai SDK, many fields": {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": "Summarise the attached text. " * 20},
        ],
        "temperature": 0.2,
        "top_p": 1,
        "max_tokens": 256,
        "stream": True,
        "stream_options": {"include_usage": True},
        "n": 1,
        "presence_penalty": 0,
        "frequency_penalty": 0,
        "user": "u-42",
        "metadata": {"purpose": "summary"},
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
    },
}


def _ns_per_call(fn: Any, number: int) -> float:
    best = min(timeit.repeat(fn, number=number, repeat=7))
    return best / number * 1e9


def run_turn_check_bench() -> str:
    import spacegate.copilot.turns  # noqa: F401  (registers the copilot's handler, as the app does)
    from spacegate.gateway import turn_hook

    rows = []
    for name, body in BODIES.items():
        raw = orjson.dumps(body)
        assert not turn_hook.is_turn(body)
        check = _ns_per_call(lambda body=body: turn_hook.is_turn(body), 1_000_000)
        parse = _ns_per_call(lambda raw=raw: orjson.loads(raw), 200_000)
        rows.append(f"| {name} | {len(raw):,} | {check:,.0f} | {parse:,.0f} |")
    turn = {**BODIES["minimal"], "guard_enabled": True}
    assert turn_hook.is_turn(turn)
    lines = [
        "## Copilot: the chat-turn check on plain OpenAI calls",
        "",
        "Best of 7 runs; ns per call, in this process (no I/O).",
        "",
        "| body | bytes | turn check ns | JSON parse ns (done anyway) |",
        "|---|---:|---:|---:|",
        *rows,
        "",
        "- The check is one `frozenset.isdisjoint` over the body's keys: a fraction of a "
        "microsecond, against a gateway overhead per call of about 80 µs "
        "(`X-Spacegate-Overhead-Ms` p50 in the gateway benchmark) and a CPU cost near 600 µs "
        "per call: well under 1%. A plain call takes no other copilot path.",
        "- Measured on a 2-CPU machine shared with other work: absolute numbers are ceilings.",
        "",
    ]
    text = "\n".join(lines)
    (Path(__file__).resolve().parent / "results-turn-check.md").write_text(text)
    return text


if __name__ == "__main__":
    print(run_turn_check_bench())
