"""Model answers in a JSON schema: asked for with ``response_format``, read leniently (a fenced
block, trailing prose, a missing bracket are repaired), validated strictly against a pydantic
model, and asked again once with the validation errors. What still does not fit is an error: a
caller that decides on the answer (a guard, a router) fails closed on it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import json_repair
import orjson
from pydantic import BaseModel, ValidationError

from spacegate.errors import AppError
from spacegate.gateway.inprocess import ModelClient

T = TypeVar("T", bound=BaseModel)
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


class InvalidModelOutput(AppError):
    status_code = 502
    code = "invalid_model_output"


@dataclass
class Structured(Generic[T]):
    value: T
    #: The assistant's text that was accepted.
    raw: str
    #: Usage summed over every try.
    usage: dict[str, int]
    attempts: int
    #: The last answer's ``model`` and ``finish_reason``.
    model: str | None
    finish_reason: str | None


def response_format(schema: type[BaseModel], name: str) -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {"name": name, "schema": schema.model_json_schema(), "strict": False},
    }


def parse(text: str, schema: type[T]) -> T:
    """The object in ``text``; raises ``ValueError`` (or pydantic's) when there is none."""
    candidate = text.strip()
    fenced = _FENCE.search(candidate)
    if fenced:
        candidate = fenced.group(1).strip()
    try:
        data = orjson.loads(candidate)
    except orjson.JSONDecodeError:
        start = candidate.find("{")
        if start < 0:
            raise ValueError("the answer holds no JSON object") from None
        data = json_repair.loads(candidate[start:])
    if not isinstance(data, dict):
        raise ValueError("the answer is not a JSON object")
    return schema.model_validate(data)


async def ask(
    client: ModelClient,
    schema: type[T],
    messages: list[dict[str, Any]],
    *,
    name: str,
    model: str | None = None,
    retries: int = 1,
    **params: Any,
) -> Structured[T]:
    """Ask ``model`` for an answer shaped as ``schema``; ``params`` are chat parameters."""
    body: dict[str, Any] = {
        "messages": list(messages),
        "response_format": response_format(schema, name),
        **{k: v for k, v in params.items() if v is not None},
    }
    if model is not None:
        body["model"] = model
    usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    problem = ""
    for attempt in range(1, retries + 2):
        answer = await client.chat(body)
        for k in usage:
            usage[k] += int((answer.get("usage") or {}).get(k) or 0)
        choice = (answer.get("choices") or [{}])[0]
        text = str((choice.get("message") or {}).get("content") or "")
        try:
            value = parse(text, schema)
        except (ValueError, ValidationError) as exc:
            problem = _describe(exc)
            body["messages"] = [
                *messages,
                {"role": "assistant", "content": text},
                {
                    "role": "user",
                    "content": f"That answer is not valid: {problem}. Answer again with only "
                    f"a JSON object that matches the {name} schema.",
                },
            ]
            continue
        return Structured(
            value, text, usage, attempt, answer.get("model"), choice.get("finish_reason")
        )
    raise InvalidModelOutput(
        f"The model's {name} answer did not match its schema after {retries + 1} tries: {problem}"
    )


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}" for e in exc.errors()
        )[:500]
    return str(exc)[:500]
