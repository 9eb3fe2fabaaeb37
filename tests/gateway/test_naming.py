"""The alias replaces every ``"model"`` member of an answer as forwarded, and nothing else: text
that merely mentions a model (escaped quotes inside a string) is left as it was."""

from __future__ import annotations

import orjson
import pytest

from spacegate.gateway.naming import model_field, renamed

ANSWER = (
    b'{"id":"x","model" : "up\\"stream-1","choices":[{"message":{"content":'
    b'"say \\"model\\": \\"gpt-secret\\""}}],"nested":{"model":"u2"}}'
)


@pytest.mark.parametrize("alias", ["chat", 'we"ird\\name', "ünïcode", "a\\1 \\g<0>"])
def test_every_model_member_is_the_alias(alias: str) -> None:
    answer = orjson.loads(renamed(ANSWER, model_field(alias)))
    assert answer["model"] == alias and answer["nested"]["model"] == alias
    assert answer["choices"][0]["message"]["content"] == 'say "model": "gpt-secret"'


def test_stream_events_and_bodies_without_a_model() -> None:
    events = b'data: {"model":"up","choices":[]}\n\ndata: {"model":"up","choices":[]}\n\n'
    assert renamed(events, model_field("chat")).count(b'"model":"chat"') == 2
    assert renamed(b"data: [DONE]\n\n", model_field("chat")) == b"data: [DONE]\n\n"
