"""Post-processing of the generated OpenAPI document, so it tells the truth about every route.

- A 422 can be pydantic's validation list or a domain error (``{"detail": "...", "code": ...}``,
  e.g. an Idempotency-Key reused with another body): both shapes are documented.
- Any route with a body can answer 400 when the body cannot be parsed at all.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from spacegate.api.schemas import ErrorResponse

_ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}
_VALIDATION_REF = {"$ref": "#/components/schemas/HTTPValidationError"}


def _patch(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorResponse", ErrorResponse.model_json_schema())
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            content = responses.get("422", {}).get("content", {}).get("application/json")
            if content is not None and content.get("schema") == _VALIDATION_REF:
                content["schema"] = {"anyOf": [_VALIDATION_REF, _ERROR_REF]}
            if "requestBody" in operation and "400" not in responses:
                responses["400"] = {
                    "description": "The body could not be parsed.",
                    "content": {"application/json": {"schema": _ERROR_REF}},
                }
    return schema


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _patch(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
