"""Personas: customer profiles ``{name, birthdate, notes, data{}}`` the copilot writes insights
and arguments for, edited by hand, with a model's help (``complete``) or imported from files."""

from __future__ import annotations

import unicodedata
from typing import Any

import orjson

from spacegate.gateway import structured
from spacegate.gateway.inprocess import ModelClient
from spacegate.models import Persona
from spacegate.resources import ResourceService, ResourceSpec
from spacegate.wire.copilot.personas import PersonaDraft

STEP_TYPE = "persona_completion"
PURPOSE = "copilot.personas"


def name_key(name: str) -> str:
    """``name`` folded for matching: accents, case and spacing do not make another person."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())[:200]


class PersonaService(ResourceService[Persona]):
    model = Persona
    spec = ResourceSpec(label="Persona", permission="personas", name="persona")

    async def validate(self, values: dict[str, Any], current: Persona | None) -> dict[str, Any]:
        if "name" in values and values["name"] is not None:
            values["name_key"] = name_key(values["name"])
        if "data" in values and values["data"] is None:
            values["data"] = {}
        values["updated_by"] = self.scope.principal.user_id
        return values


_INSTRUCTIONS = (
    "You edit customer personas of a financial institution. Apply the user's request to the "
    "current persona and answer with the whole updated persona as one JSON object: name, "
    "birthdate (YYYY-MM-DD), notes (text) and data (an object of further attributes). Keep "
    "what the request does not change."
)


async def complete(
    client: ModelClient,
    current: dict[str, Any],
    history: list[dict[str, Any]],
    prompt: str,
    *,
    model: str | None,
) -> structured.Structured[PersonaDraft]:
    """The persona ``current`` changed as ``prompt`` asks (after ``history``), as the model wrote
    it and validated against ``PersonaDraft``; nothing is stored."""
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": _INSTRUCTIONS},
        {"role": "user", "content": "Current persona:\n" + orjson.dumps(current).decode()},
        *history,
        {"role": "user", "content": prompt},
    ]
    return await structured.ask(
        client.labelled(step_type=STEP_TYPE),
        PersonaDraft,
        messages,
        name="persona",
        model=model,
        temperature=0,
    )
