"""OpenAPI documentation of the OpenAI wire surface.

Request bodies are not parsed by pydantic on this surface (the gateway reads only the few fields it
needs and forwards the rest untouched), so they are documented here as JSON schemas.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

_MESSAGES = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "role": {
                "type": "string",
                "enum": ["system", "developer", "user", "assistant", "tool"],
            },
            "content": {
                "anyOf": [
                    {"type": "string"},
                    {"type": "array", "items": {"type": "object"}},
                    {"type": "null"},
                ]
            },
        },
        "required": ["role"],
    },
}
_SPACEGATE_METADATA = {
    "type": "object",
    "description": (
        "Optional. Spacegate reads and removes `purpose`, `step_type`, `tags` and `type` "
        "(the same as the X-Spacegate-Purpose / X-Spacegate-Step-Type headers); other keys "
        "are forwarded."
    ),
}


def body(
    properties: dict[str, Any], required: list[str], example: dict[str, Any]
) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": properties,
                        "required": required,
                        "additionalProperties": True,
                    },
                    "example": example,
                }
            },
        },
        "parameters": [
            {
                "name": "X-Space-Id",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "format": "uuid"},
                "description": "The space to act in; not needed with a space-bound API key.",
            },
            {
                "name": "X-Spacegate-Purpose",
                "in": "header",
                "required": False,
                "schema": {"type": "string"},
                "description": "Declared purpose, checked against the entitlement's purposes.",
            },
            {
                "name": "X-Spacegate-Step-Type",
                "in": "header",
                "required": False,
                "schema": {"type": "string"},
                "description": "Declared step type (inference, tool_call, ...), checked against "
                "the entitlement.",
            },
            {
                "name": "X-Correlation-ID",
                "in": "header",
                "required": False,
                "schema": {"type": "string"},
                "description": "Stored on the inference log row, for filtering.",
            },
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                "description": "Makes a retry safe for the bill: the same key and body from the "
                "same API key replay the first successful answer (a stream as the same events) "
                "with `Idempotent-Replayed: true`, without calling the provider or metering "
                "again. Still in flight: 409; another body: 422. Kept 24 h.",
            },
        ],
    }


CHAT = body(
    {
        "model": {
            "type": "string",
            "description": "Model alias or tenant_model_id; default: the space's default model.",
        },
        "messages": _MESSAGES,
        "stream": {"type": "boolean"},
        "max_tokens": {"type": "integer", "minimum": 1},
        "max_completion_tokens": {"type": "integer", "minimum": 1},
        "temperature": {"type": "number"},
        "metadata": _SPACEGATE_METADATA,
    },
    ["messages"],
    {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}]},
)
COMPLETIONS = body(
    {
        "model": {"type": "string"},
        "prompt": {"anyOf": [{"type": "string"}, {"type": "array"}]},
        "stream": {"type": "boolean"},
        "max_tokens": {"type": "integer", "minimum": 1},
        "metadata": _SPACEGATE_METADATA,
    },
    ["prompt"],
    {"model": "gpt-3.5-turbo-instruct", "prompt": "Say hello"},
)
EMBEDDINGS = body(
    {
        "model": {"type": "string"},
        "input": {"anyOf": [{"type": "string"}, {"type": "array"}]},
        "metadata": _SPACEGATE_METADATA,
    },
    ["input"],
    {"model": "text-embedding-3-small", "input": "Hello"},
)


class OpenAIErrorBody(BaseModel):
    message: str
    type: str
    param: str | None
    code: str | None


class OpenAIError(BaseModel):
    error: OpenAIErrorBody


class ModelObject(BaseModel):
    id: str = Field(description="The model alias: pass it as `model`.")
    object: str = "model"
    created: int
    owned_by: str
    tenant_model_id: str
    capabilities: list[str]
    context_window: int | None
    is_default: bool


class ModelList(BaseModel):
    object: str = "list"
    data: list[ModelObject]
    count: int
    has_more: bool


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {
        c: {"model": OpenAIError, "description": "OpenAI-style error."}
        for c in sorted({*codes, 401})
    }


#: 402: a token or cost budget is spent (`token_budget_exhausted`, `cost_budget_exhausted`).
#: 409 / 422: an `Idempotency-Key` still in flight / used with another body.
INFERENCE_ERRORS = errors(400, 402, 403, 404, 409, 422, 429, 502, 503, 504)
COMPLETION_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "OpenAI-shaped response; with `stream: true`, `text/event-stream` chunks.",
        "content": {"application/json": {"schema": {"type": "object"}}, "text/event-stream": {}},
    }
}
