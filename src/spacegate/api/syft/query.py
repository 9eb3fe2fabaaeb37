"""``POST /api/v1/endpoints/{slug}/query``: ask an endpoint, as JSON or as server-sent events."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field, StrictBool, StringConstraints, model_validator

from spacegate.api.deps import SessionDep
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.api.syft.common import responses
from spacegate.auth.scope import SpaceScopeDep
from spacegate.rag.query import Query, answer, prepare, stream
from spacegate.wire.base import RequestModel

Content = Annotated[
    str, StringConstraints(min_length=1, max_length=100_000, strip_whitespace=False)
]


class Message(RequestModel):
    role: Literal["system", "user", "assistant"]
    content: Content


class QueryRequest(RequestModel):
    messages: Content | Annotated[list[Message], Field(min_length=1, max_length=200)] = Field(
        description="The question, or a conversation whose last user message is searched for.",
        examples=["What does the handbook say about leave?"],
    )
    similarity_threshold: float = Field(default=0.5, ge=0, le=1)
    limit: int = Field(default=5, ge=1, le=100, description="References to retrieve.")
    include_metadata: StrictBool = True
    max_tokens: int | None = Field(default=100, ge=1, le=1_000_000)
    temperature: float | None = Field(default=0.7, ge=0, le=2)
    stop_sequences: (
        list[Annotated[str, StringConstraints(min_length=1, strip_whitespace=False)]] | None
    ) = Field(default=None, max_length=4)
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    stream: StrictBool = False
    extras: dict[str, Any] = Field(default_factory=dict, description="Accepted and ignored.")

    @model_validator(mode="after")
    def _asks_something(self) -> QueryRequest:
        if isinstance(self.messages, list) and not any(m.role == "user" for m in self.messages):
            raise ValueError("messages needs at least one user message")
        return self


class AnswerMessage(BaseModel):
    role: str
    content: str


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class Summary(BaseModel):
    id: str
    model: str
    message: AnswerMessage
    finish_reason: str | None
    usage: Usage


class Document(BaseModel):
    document_id: str
    chunk_id: str | None = None
    content: str
    metadata: dict[str, Any]
    similarity_score: float


class References(BaseModel):
    documents: list[Document]


class PolicyEntry(BaseModel):
    policy_id: str
    name: str
    policy_type: str
    kind: str
    status: str
    reason: str
    details: dict[str, Any]


class PolicyMetadata(BaseModel):
    outcome: str
    entries: list[PolicyEntry]


class QueryResponse(BaseModel):
    summary: Summary | None = None
    references: References | None = None
    policy_metadata: PolicyMetadata


router = APIRouter(route_class=UnitOfWorkRoute)


@router.post(
    "/{slug}/query",
    summary="Query endpoint",
    description="With `stream: true` the answer comes as server-sent events: `references`, "
    "`delta`s, then `summary` (with `policy_metadata`), then `[DONE]`.",
    responses={
        **responses(404, 429, 501, 502),
        200: {"content": {"text/event-stream": {}}},
    },
    response_model=QueryResponse,
    response_model_exclude_none=True,
)
async def query_endpoint(
    slug: Annotated[str, Path(description="Endpoint slug")],
    body: QueryRequest,
    request: Request,
    session: SessionDep,
    scope: SpaceScopeDep,
) -> Any:
    messages = (
        [{"role": "user", "content": body.messages}]
        if isinstance(body.messages, str)
        else [m.model_dump() for m in body.messages]
    )
    q = Query(
        messages=messages,
        similarity_threshold=body.similarity_threshold,
        limit=body.limit,
        include_metadata=body.include_metadata,
        max_tokens=body.max_tokens,
        temperature=body.temperature,
        stop_sequences=body.stop_sequences,
        presence_penalty=body.presence_penalty,
        frequency_penalty=body.frequency_penalty,
        stream=body.stream,
    )
    gateway = request.app.state.gateway
    run = await prepare(session, scope, gateway, request.app.state.limits, slug, q)
    if body.stream:
        return stream(run)
    return await answer(run)
