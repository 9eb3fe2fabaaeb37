"""Model calls made by Spacegate itself (RAG, factory, copilot), through the same gateway path as
any client's: entitled, limited, budgeted, metered and logged as the caller, with a step type and
a purpose, so an admin sees and caps what each feature spends."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import StreamingResponse

from spacegate.auth.principal import Principal
from spacegate.errors import AppError
from spacegate.gateway.providers.base import Endpoint
from spacegate.gateway.service import IN_PROCESS_PRINCIPAL, Gateway

_PATHS: dict[Endpoint, str] = {
    "chat.completions": "/v1/chat/completions",
    "completions": "/v1/completions",
    "embeddings": "/v1/embeddings",
}


class ModelCallFailed(AppError):
    """The gateway refused or the provider failed: the gateway's status and message, as is for
    a refusal (403, 402, 429 ...), 502 for an upstream failure."""

    code = "model_call_failed"

    def __init__(self, status: int, message: str, code: str | None, headers: dict[str, str]):
        keep = {k: v for k, v in headers.items() if k.lower() == "retry-after"}
        super().__init__(
            message,
            code=code or self.code,
            status_code=status if status < 500 else (503 if status == 503 else 502),
            headers=keep or None,
        )
        self.upstream_status = status


@dataclass(frozen=True)
class Labels:
    step_type: str | None = None
    purpose: str | None = None
    tags: tuple[str, ...] = ()
    correlation_id: str | None = None


@dataclass
class ModelClient:
    """One caller in one space; ``chat`` / ``embed`` / ``stream`` go through the gateway."""

    gateway: Gateway
    principal: Principal
    space_id: uuid.UUID
    labels: Labels = field(default_factory=Labels)

    def labelled(self, **changes: Any) -> ModelClient:
        merged = {**self.labels.__dict__, **changes}
        return ModelClient(self.gateway, self.principal, self.space_id, Labels(**merged))

    async def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._json("chat.completions", {**body, "stream": False})

    async def embed(self, model: str | None, inputs: list[str]) -> list[list[float]]:
        body: dict[str, Any] = {"input": inputs}
        if model is not None:
            body["model"] = model
        answer = await self._json("embeddings", body)
        rows = sorted(answer.get("data") or [], key=lambda d: d.get("index", 0))
        vectors = [list(map(float, d["embedding"])) for d in rows]
        if len(vectors) != len(inputs):
            raise ModelCallFailed(
                502,
                f"The embedding model answered {len(vectors)} vectors for {len(inputs)} inputs.",
                "bad_embeddings",
                {},
            )
        return vectors

    async def stream(self, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """The chunks of a streamed chat completion, parsed, until ``[DONE]``."""
        response = await self.gateway.infer(
            self._request("chat.completions", {**body, "stream": True}), "chat.completions"
        )
        if not isinstance(response, StreamingResponse):
            _raise_for(response.status_code, bytes(response.body), dict(response.headers))
            return
        buffer = b""
        async for piece in response.body_iterator:
            buffer += piece if isinstance(piece, bytes) else str(piece).encode()
            while b"\n\n" in buffer:
                event, buffer = buffer.split(b"\n\n", 1)
                for line in event.splitlines():
                    if not line.startswith(b"data:"):
                        continue
                    data = line[5:].strip()
                    if data == b"[DONE]":
                        return
                    chunk = orjson.loads(data)
                    if isinstance(chunk, dict) and "error" in chunk:
                        err = chunk["error"] or {}
                        raise ModelCallFailed(
                            502, str(err.get("message", "The stream failed.")), err.get("code"), {}
                        )
                    yield chunk

    async def _json(self, endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.gateway.infer(self._request(endpoint, body), endpoint)
        raw = bytes(response.body)
        if not 200 <= response.status_code < 300:
            _raise_for(response.status_code, raw, dict(response.headers))
        answer = orjson.loads(raw)
        if not isinstance(answer, dict):
            raise ModelCallFailed(
                502, "The model answered something other than an object.", "bad_answer", {}
            )
        return answer

    def _request(self, endpoint: Endpoint, body: dict[str, Any]) -> Request:
        if self.labels.tags:
            meta = dict(body.get("metadata") or {})
            meta.setdefault("tags", list(self.labels.tags))
            body = {**body, "metadata": meta}
        raw = orjson.dumps(body)
        headers = [
            (b"content-type", b"application/json"),
            (b"x-space-id", str(self.space_id).encode()),
        ]
        for name, value in (
            (b"x-spacegate-step-type", self.labels.step_type),
            (b"x-spacegate-purpose", self.labels.purpose),
            (b"x-correlation-id", self.labels.correlation_id),
        ):
            if value:
                headers.append((name, value.encode()))
        scope: dict[str, Any] = {
            "type": "http",
            "method": "POST",
            "path": _PATHS[endpoint],
            "raw_path": _PATHS[endpoint].encode(),
            "query_string": b"",
            "headers": headers,
            "state": {},
            IN_PROCESS_PRINCIPAL: self.principal,
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}

        return Request(scope, receive)


def _raise_for(status: int, raw: bytes, headers: dict[str, str]) -> None:
    message, code = f"The model call failed ({status}).", None
    try:
        err = orjson.loads(raw).get("error") or {}
        message = str(err.get("message") or message)
        code = err.get("code")
    except (orjson.JSONDecodeError, AttributeError):
        pass
    raise ModelCallFailed(status, message, code if isinstance(code, str) else None, headers)


def model_client(
    gateway: Gateway, principal: Principal, space_id: uuid.UUID, **labels: Any
) -> ModelClient:
    return ModelClient(gateway, principal, space_id, Labels(**labels))
