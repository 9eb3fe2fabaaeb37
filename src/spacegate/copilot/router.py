"""The router: picks which expert answers a turn, with structured output; when none fits, the
fallback expertise ``discovering`` answers without an expert's context."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from spacegate.copilot.chats import text_of
from spacegate.errors import AppError
from spacegate.gateway import structured
from spacegate.gateway.inprocess import ModelCallFailed, ModelClient
from spacegate.models import Expert

DISCOVERING = "discovering"
_DISCOVERING_TEXT = "General questions, or none of the other expertises fits."


class RouterAnswer(BaseModel):
    search_query: list[str] = Field(
        default_factory=list, description="Short queries to search the chosen expert's files."
    )
    chosen_expertises: list[str] = Field(description="The chosen expertise's name, first.")
    select_expertise_answer: str | None = Field(default=None, description="Why that expertise.")


class RouterFailed(AppError):
    status_code = 502
    code = "router_failed"


def _instructions(potential: list[dict[str, str]], reasoning: bool) -> str:
    listed = "\n".join(f"- {p['name']}: {p['description']}" for p in potential)
    why = "Explain the choice in select_expertise_answer." if reasoning else ""
    return (
        "Choose which expertise should answer the conversation's last user message. "
        f"Expertises:\n{listed}\n"
        "Answer with a JSON object: chosen_expertises (a list with the chosen expertise's exact "
        "name first), search_query (a list of short search queries), "
        f"select_expertise_answer. {why}"
    )


async def choose(
    client: ModelClient,
    experts: list[Expert],
    history: list[dict[str, Any]],
    *,
    model: str | None,
    reasoning: bool,
) -> tuple[Expert | None, dict[str, Any]]:
    """The chosen expert (None: ``discovering``) and ``router{}`` as the answer shows it."""
    potential = [{"name": e.name, "description": e.description} for e in experts]
    potential.append({"name": DISCOVERING, "description": _DISCOVERING_TEXT})
    recent = [
        {"role": m["role"], "content": text_of(m.get("content"))}
        for m in history[-6:]
        if m.get("role") in ("user", "assistant") and text_of(m.get("content"))
    ]
    messages = [{"role": "system", "content": _instructions(potential, reasoning)}, *recent]
    try:
        answer = await structured.ask(
            client, RouterAnswer, messages, name="router", model=model, temperature=0
        )
    except structured.InvalidModelOutput as exc:
        raise RouterFailed(f"The router's answer could not be read: {exc.message}") from None
    except ModelCallFailed as exc:
        raise RouterFailed(
            f"The router's model call failed: {exc.message}",
            status_code=exc.status_code,
            headers=exc.headers,
        ) from None
    by_name: dict[str, Expert] = {}
    for e in experts:
        by_name.setdefault(e.name.strip().lower(), e)
    chosen: Expert | None = None
    for name in answer.value.chosen_expertises:
        chosen = by_name.get(name.strip().lower())
        if chosen is not None:
            break
    names = [chosen.name] if chosen is not None else [DISCOVERING]
    why = answer.value.select_expertise_answer if reasoning else None
    return chosen, {
        "search_query": answer.value.search_query,
        "potential_expertises": potential,
        "chosen_expertises": names,
        "select_expertise_answer": why,
        "expert_id": str(chosen.id) if chosen is not None else None,
        "reasoning": why,
        "model": answer.model,
        "usage": answer.usage,
    }
