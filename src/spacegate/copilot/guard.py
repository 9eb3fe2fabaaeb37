"""The guard: before a turn is answered, its user message is classified against the space's
categories by the guard model (structured output, parsed strictly). A guard that fails, answers
garbage or runs out of time fails the turn closed: no answer is generated."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import BaseModel, Field

from spacegate.copilot.settings import Effective
from spacegate.errors import AppError
from spacegate.gateway import structured
from spacegate.gateway.inprocess import ModelCallFailed, ModelClient

REFUSAL = "I can't help with that request: it was flagged by this space's compliance guard ({})."


class CategorySuggestion(BaseModel):
    macro_category: str = Field(description="The broad risk area.")
    sub_category: str = Field(description="The specific risk within it.")
    justification: str = Field(default="", description="Why the message falls under it.")


class GuardAnswer(BaseModel):
    """What the guard model answers (NeoSpace's supervisor fields)."""

    guard_safe: bool = Field(description="False when the message falls under a category.")
    guard_category: list[str] = Field(
        default_factory=list, description="The categories the message falls under."
    )
    guard_reasoning: str | None = Field(default=None, description="Why, in one or two sentences.")
    category_suggestions: list[CategorySuggestion] = Field(default_factory=list)


class GuardFailed(AppError):
    status_code = 502
    code = "guard_failed"


def _instructions(categories: tuple[str, ...], reasoning: bool) -> str:
    listed = "\n".join(f"- {c}" for c in categories)
    why = (
        "Explain your decision in guard_reasoning." if reasoning else "Leave guard_reasoning empty."
    )
    return (
        "You are the compliance guard of a financial institution's assistant. Decide whether "
        "the user's message asks for help with, or would lead the assistant to assist, any of "
        f"these risk categories:\n{listed}\n"
        "Asking about a topic to understand, prevent or report it is safe. Answer with a JSON "
        "object: guard_safe (boolean), guard_category (the names of the categories above that "
        "apply, empty when safe), guard_reasoning, category_suggestions (a list of "
        f"{{macro_category, sub_category, justification}}). {why}"
    )


async def classify(
    client: ModelClient,
    text: str,
    settings: Effective,
    *,
    model: str | None,
    reasoning: bool,
) -> dict[str, Any]:
    """The verdict on ``text`` as ``guard{}`` shows it; raises ``GuardFailed`` (fail closed)."""
    messages = [
        {"role": "system", "content": _instructions(settings.guard_categories, reasoning)},
        {"role": "user", "content": text},
    ]
    seconds = settings.guard_timeout_seconds
    try:
        async with asyncio.timeout(seconds):
            answer = await structured.ask(
                client, GuardAnswer, messages, name="guard", model=model, temperature=0
            )
    except TimeoutError:
        raise GuardFailed(
            f"The guard did not answer within {seconds:g} s; the message was not answered "
            "(the guard fails closed).",
            code="guard_timeout",
            status_code=504,
        ) from None
    except structured.InvalidModelOutput as exc:
        raise GuardFailed(
            f"The guard's answer could not be read, so the message was not answered (the guard "
            f"fails closed): {exc.message}"
        ) from None
    except ModelCallFailed as exc:
        raise GuardFailed(
            f"The guard's model call failed, so the message was not answered: {exc.message}",
            status_code=exc.status_code,
            headers=exc.headers,
        ) from None
    verdict = answer.value
    known = {c.lower(): c for c in settings.guard_categories}
    categories = [known.get(c.strip().lower(), c.strip()) for c in verdict.guard_category]
    safe = verdict.guard_safe
    why = verdict.guard_reasoning if reasoning else None
    return {
        "guard_safe": safe,
        "guard_category": categories,
        "guard_reasoning": why,
        "category_suggestions": [s.model_dump() for s in verdict.category_suggestions],
        "safe": safe,
        "categories": categories,
        "reasoning": why,
        "model": answer.model,
        "usage": answer.usage,
    }


def refusal(verdict: dict[str, Any]) -> str:
    named = ", ".join(verdict["categories"]) or "a restricted category"
    return REFUSAL.format(named)
