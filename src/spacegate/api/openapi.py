"""Post-processing of the generated OpenAPI document, so it tells the truth about every route.

- A 422 can be pydantic's validation list or a domain error (``{"detail": "...", "code": ...}``,
  e.g. an Idempotency-Key reused with another body): both shapes are documented.
- Any route with a body can answer 400 when the body cannot be parsed at all, and any route
  taking an ``Idempotency-Key`` when the key is malformed.
- A route acting in the caller's space (``X-Space-Id``) answers 400 when no space is named and
  404 when it does not exist for the caller.
- The gateway's routes authenticate like every other (they answer 401 without a key), so they
  declare the same security schemes.
- Every control-plane route counted by the org's request limit can answer 429 with
  ``Retry-After`` (``limits/middleware.py``).
- Links, derived from the route table, say how a created object is read, changed and deleted:
  a POST answering an object links to the operations of its ``{..id}`` sub-path, and an
  operation on an object links to the other operations on that object.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from spacegate.limits.middleware import exempt
from spacegate.wire.base import ErrorResponse

_ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}
_VALIDATION_REF = {"$ref": "#/components/schemas/HTTPValidationError"}
_METHODS = ("get", "put", "post", "delete", "patch")
_PARAM = re.compile(r"\{(\w+)\}")
_SECURITY: list[dict[str, list[str]]] = [{"HTTPBearer": []}, {"APIKeyHeader": []}]

_RATE_LIMITED = {
    "description": "The org's request limit is spent; retry after `Retry-After` seconds.",
    "headers": {
        "Retry-After": {"schema": {"type": "integer", "minimum": 1}, "required": True},
        "RateLimit": {"schema": {"type": "string"}, "required": True},
        "RateLimit-Policy": {"schema": {"type": "string"}, "required": True},
    },
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"detail": {"type": "string"}},
                "required": ["detail"],
            }
        }
    },
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR_REF}}}


def _patch(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorResponse", ErrorResponse.model_json_schema())
    for path, operations in schema.get("paths", {}).items():
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
            headers = {
                str(p.get("name", "")).lower()
                for p in operation.get("parameters", ())
                if p.get("in") == "header"
            }
            if "idempotency-key" in headers:
                responses.setdefault("400", _error("A malformed Idempotency-Key."))
            if "x-space-id" in headers:
                responses.setdefault(
                    "400", _error("No space named (`X-Space-Id` or a key bound to a space).")
                )
                responses.setdefault("404", _error("The space (or the object) does not exist."))
            if "401" in responses and not operation.get("security"):
                operation["security"] = _SECURITY
            if operation.get("security") and not exempt(path):
                responses.setdefault("429", _RATE_LIMITED)
    _add_links(schema)
    return schema


def _properties(schema: dict[str, Any], node: dict[str, Any] | None) -> dict[str, Any]:
    while node is not None and "$ref" in node:
        node = schema["components"]["schemas"].get(node["$ref"].rsplit("/", 1)[-1])
    props: dict[str, Any] = (node or {}).get("properties", {})
    return props


def _pointer(schema: dict[str, Any], body: dict[str, Any] | None, name: str) -> str | None:
    """Where in a response body the id that fills path parameter ``name`` is."""
    props = _properties(schema, body)
    for prefix, fields in (("", props), ("/data", _properties(schema, props.get("data")))):
        for field in (name, "id"):
            if field in fields:
                return f"$response.body#{prefix}/{field}"
    return None


def _success(operation: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    for status, response in sorted(operation.get("responses", {}).items()):
        if status.startswith("2"):
            return status, response
    return None


def _add_links(schema: dict[str, Any]) -> None:
    paths: dict[str, dict[str, Any]] = schema.get("paths", {})
    ops = [(p, m, o) for p, item in paths.items() for m, o in item.items() if m in _METHODS]
    for source_path, method, operation in ops:
        success = _success(operation)
        if success is None:
            continue
        _, response = success
        body = response.get("content", {}).get("application/json", {}).get("schema")
        known = set(_PARAM.findall(source_path))
        links: dict[str, Any] = {}
        for target_path, _, target in ops:
            if target is operation or "operationId" not in target:
                continue
            params = _PARAM.findall(target_path)
            if method == "post" and target_path.startswith(source_path + "/{"):
                new = _PARAM.match(target_path, len(source_path) + 1)
                if new is None or set(params) - known != {new.group(1)}:
                    continue
                pointer = _pointer(schema, body, new.group(1))
                if pointer is None:
                    continue
                values = {p: pointer if p == new.group(1) else f"$request.path.{p}" for p in params}
            elif method in ("get", "patch", "put") and target_path == source_path and params:
                values = {p: f"$request.path.{p}" for p in params}
            else:
                continue
            links[target["operationId"]] = {
                "operationId": target["operationId"],
                "parameters": values,
            }
        if links:
            response.setdefault("links", {}).update(links)


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
