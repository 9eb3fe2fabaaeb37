"""Querying an endpoint: policies before (access, rate limit), the dataset's search and/or the
model's answer through the gateway as the caller, policies after (PII), and ``policy_metadata``.

The answer is metered as step type ``inference`` and the search (its embeddings) as
``source_query``, both with the endpoint as purpose, so an admin sees and caps what each
endpoint spends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy import select
from starlette.responses import StreamingResponse

from spacegate.auth.scope import SpaceScope
from spacegate.errors import AppError, Forbidden, Unprocessable
from spacegate.gateway.inprocess import ModelCallFailed, ModelClient, model_client
from spacegate.gateway.service import Gateway
from spacegate.gateway.structured import ask
from spacegate.kit.ids import uuid7
from spacegate.limits.service import LimitService
from spacegate.models import RagEndpoint, User
from spacegate.rag import endpoint_datasets
from spacegate.rag.endpoints import EndpointService
from spacegate.rag.policies import Caller, Entry, access, metadata, rate_limit
from spacegate.rag.policies.pii import PiiPlan, mask_documents, mask_text, merge
from spacegate.rag.policies.service import PolicyService
from spacegate.rag.syft_models import SyftModelService

SPACE_ADMIN = "spaces:update"
CONTEXT_PROMPT = (
    "Use the following context to answer. Each source starts with its id in square brackets; "
    "cite the sources you use by that id, e.g. [doc-1]. If the context does not answer the "
    "question, say so."
)


@dataclass
class Query:
    messages: list[dict[str, str]]
    similarity_threshold: float = 0.5
    limit: int = 5
    include_metadata: bool = True
    max_tokens: int | None = 100
    temperature: float | None = 0.7
    stop_sequences: list[str] | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    stream: bool = False


@dataclass
class Run:
    endpoint: RagEndpoint
    query: Query
    client: ModelClient
    entries: list[Entry] = field(default_factory=list)
    pii: PiiPlan = field(default_factory=lambda: PiiPlan([]))
    masked: dict[str, dict[str, int]] = field(default_factory=dict)
    documents: list[dict[str, Any]] | None = None
    body: dict[str, Any] | None = None
    model_name: str = ""


class _Names(BaseModel):
    names: list[str]


async def prepare(
    session: Any, scope: SpaceScope, gateway: Gateway, limits: LimitService, slug: str, q: Query
) -> Run:
    endpoints = EndpointService(session, scope, gateway.runtime.cursors)
    ep = await endpoints.find(slug, permission="query")
    if not ep.published and not scope.can(SPACE_ADMIN):
        raise Forbidden(
            f"Endpoint '{slug}' is not published: only its space's admins may query it.",
            code="endpoint_not_published",
        )
    email = await session.scalar(select(User.email).where(User.id == scope.principal.user_id))
    caller = Caller(scope.principal.api_key_id, scope.principal.user_id, email)
    policies = await PolicyService(session, scope, gateway.runtime.cursors).of_endpoint(ep.id)
    by_type: dict[str, list[Any]] = {}
    for p in policies:
        by_type.setdefault(p.policy_type, []).append(p)
    run = Run(
        ep,
        q,
        model_client(
            gateway,
            scope.principal,
            scope.space_id,
            purpose=ep.slug,
            correlation_id=str(uuid7()),
        ),
    )
    run.entries += access.check(by_type.get("access", []), caller)
    run.entries += await rate_limit.check(
        limits, scope.org_id, by_type.get("rate_limit", []), caller
    )
    run.pii = PiiPlan.of(by_type.get("pii_filter", []))
    if run.pii.covers("question"):
        counts: dict[str, int] = {}
        for m in q.messages:
            if m["role"] == "user":
                m["content"], found = mask_text(run.pii, m["content"])
                merge(counts, found)
        run.masked["question"] = counts
    question = next((m["content"] for m in reversed(q.messages) if m["role"] == "user"), "")
    if ep.response_type in ("raw", "both"):
        if ep.dataset_id is None:
            raise Unprocessable("The endpoint has no dataset.", code="dataset_required")
        hits = await endpoint_datasets.search(
            session,
            scope,
            ep.dataset_id,
            question,
            limit=q.limit,
            similarity_threshold=q.similarity_threshold,
            models=run.client.labelled(step_type="source_query"),
        )
        run.documents = [_document(h, q.include_metadata) for h in hits]
        if run.pii.covers("references"):
            run.masked["references"] = mask_documents(run.pii, run.documents)
    if ep.response_type in ("summary", "both"):
        if ep.model_id is None:
            raise Unprocessable("The endpoint has no model.", code="model_required")
        model, alias = await SyftModelService(session, scope, gateway.runtime.cursors).alias_of(
            ep.model_id
        )
        run.model_name = model.name
        messages: list[dict[str, str]] = []
        if model.system_prompt:
            messages.append({"role": "system", "content": model.system_prompt})
        if run.documents is not None:
            context = "\n\n".join(f"[{d['document_id']}] {d['content']}" for d in run.documents)
            messages.append({"role": "system", "content": f"{CONTEXT_PROMPT}\n\n{context}"})
        messages += q.messages
        body: dict[str, Any] = {"model": alias, "messages": messages}
        for name, value in (
            ("max_tokens", q.max_tokens),
            ("temperature", q.temperature),
            ("stop", q.stop_sequences or None),
            ("presence_penalty", q.presence_penalty),
            ("frequency_penalty", q.frequency_penalty),
        ):
            if value is not None:
                body[name] = value
        run.body = body
    return run


def _document(hit: Any, include_metadata: bool) -> dict[str, Any]:
    return {
        "document_id": str(hit.document_id),
        "chunk_id": str(hit.chunk_id) if getattr(hit, "chunk_id", None) is not None else None,
        "content": hit.content,
        "metadata": dict(hit.metadata or {}) if include_metadata else {},
        "similarity_score": float(hit.similarity_score),
    }


async def _mask_answer(run: Run, text: str) -> str:
    if not run.pii.covers("answer"):
        return text
    names: list[str] = []
    if run.pii.names and run.body is not None:
        found = await ask(
            run.client.labelled(step_type="inference"),
            _Names,
            [
                {
                    "role": "user",
                    "content": "List every person's name in this text, exactly as written, as "
                    f'{{"names": [...]}}:\n\n{text}',
                }
            ],
            name="names",
            model=run.body["model"],
        )
        names = found.value.names
    masked, counts = mask_text(run.pii, text, names)
    run.masked["answer"] = counts
    return masked


def _finish(run: Run, summary: dict[str, Any] | None) -> dict[str, Any]:
    run.entries += run.pii.entries(run.masked)
    out: dict[str, Any] = {}
    if summary is not None:
        out["summary"] = summary
    if run.documents is not None:
        out["references"] = {"documents": run.documents}
    out["policy_metadata"] = metadata(run.entries)
    return out


async def answer(run: Run) -> dict[str, Any]:
    summary = None
    if run.body is not None:
        reply = await run.client.labelled(step_type="inference").chat(run.body)
        choice = (reply.get("choices") or [{}])[0]
        text = str((choice.get("message") or {}).get("content") or "")
        usage = reply.get("usage") or {}
        summary = {
            "id": str(reply.get("id") or uuid7()),
            "model": run.model_name,
            "message": {"role": "assistant", "content": await _mask_answer(run, text)},
            "finish_reason": choice.get("finish_reason"),
            "usage": {
                k: int(usage.get(k) or 0)
                for k in ("prompt_tokens", "completion_tokens", "total_tokens")
            },
        }
    return _finish(run, summary)


def _sse(data: dict[str, Any]) -> bytes:
    return b"data: " + orjson.dumps(data) + b"\n\n"


def stream(run: Run) -> StreamingResponse:
    """Server-sent events: ``references`` first, then ``delta``s, then the ``summary`` with the
    policy metadata, then ``[DONE]``. When a pii_filter covers the answer the text is held back
    and sent masked, in one delta, once it is whole (a number split across deltas would
    otherwise slip through)."""

    async def events() -> AsyncIterator[bytes]:
        if run.documents is not None:
            yield _sse({"type": "references", "references": {"documents": run.documents}})
        summary = None
        if run.body is not None:
            hold = run.pii.covers("answer")
            parts: list[str] = []
            finish, ident = None, None
            usage: dict[str, Any] = {}
            try:
                async for chunk in run.client.labelled(step_type="inference").stream(
                    {**run.body, "stream_options": {"include_usage": True}}
                ):
                    ident = ident or chunk.get("id")
                    usage = chunk.get("usage") or usage
                    for choice in chunk.get("choices") or []:
                        delta = str((choice.get("delta") or {}).get("content") or "")
                        finish = choice.get("finish_reason") or finish
                        if delta:
                            parts.append(delta)
                            if not hold:
                                yield _sse({"type": "delta", "content": delta})
                text = "".join(parts)
                if hold:
                    text = await _mask_answer(run, text)
                    yield _sse({"type": "delta", "content": text})
            except (ModelCallFailed, AppError) as exc:
                yield _sse({"type": "error", "error": {"message": exc.message, "code": exc.code}})
                yield b"data: [DONE]\n\n"
                return
            summary = {
                "id": str(ident or uuid7()),
                "model": run.model_name,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish,
                "usage": {
                    k: int(usage.get(k) or 0)
                    for k in ("prompt_tokens", "completion_tokens", "total_tokens")
                },
            }
        yield _sse({"type": "summary", **_finish(run, summary)})
        yield b"data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")
