"""The client an insight or an argument is written for: a persona of the space (by id) or data
given inline."""

from __future__ import annotations

import uuid
from typing import Any

from spacegate.copilot.personas import PersonaService
from spacegate.errors import NotFound
from spacegate.models import Persona


def persona_profile(persona: Persona) -> dict[str, Any]:
    return {
        "persona_id": str(persona.id),
        "name": persona.name,
        "birthdate": persona.birthdate.isoformat(),
        "notes": persona.notes,
        "data": persona.data or {},
    }


async def _persona(personas: PersonaService, ident: uuid.UUID) -> Persona:
    found = await personas.repo.get_by("id", ident)
    if found is None:
        raise NotFound(f"Persona '{ident}' not found", code="persona_not_found")
    return found


async def describe(personas: PersonaService, client: str | dict[str, Any] | None) -> Any:
    """``client`` as the model reads it: a persona id (a string, or ``{"persona_id"}`` /
    ``{"id"}`` in an object) becomes that persona's profile, with the object's other fields
    beside it; anything else is the client's data as given. Another space's persona is a 404."""
    if isinstance(client, str):
        try:
            return persona_profile(await _persona(personas, uuid.UUID(client.strip())))
        except ValueError:
            return client
    if isinstance(client, dict):
        for key in ("persona_id", "id"):
            value = client.get(key)
            if isinstance(value, str):
                try:
                    ident = uuid.UUID(value)
                except ValueError:
                    continue
                rest = {k: v for k, v in client.items() if k != key}
                return {**persona_profile(await _persona(personas, ident)), **rest}
    return client
