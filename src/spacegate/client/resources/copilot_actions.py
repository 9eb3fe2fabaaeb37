"""The copilot's commercial work in the client's space: action groups, actions, personas (with
model-assisted completion and file imports), insights and sales arguments with their review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from pydantic import TypeAdapter

from spacegate.client._http import Id, Op, dump, model, params
from spacegate.client.resources._crud import AsyncCrud, CrudOps, SyncCrud
from spacegate.wire.copilot.action_groups import (
    ActionGroupCreate,
    ActionGroupRead,
    ActionGroupUpdate,
)
from spacegate.wire.copilot.actions import ActionCreate, ActionRead, ActionUpdate
from spacegate.wire.copilot.arguments import ArgumentCreate, ArgumentRead, ArgumentUpdate
from spacegate.wire.copilot.insights import InsightCreate, InsightRead
from spacegate.wire.copilot.personas import (
    CompletionRequest,
    CompletionResponse,
    ConfirmResponse,
    PersonaCreate,
    PersonaRead,
    PersonaUpdate,
    UploadResponse,
)

_GROUPS = CrudOps("/v1/action-groups", ActionGroupRead, ActionGroupCreate, ActionGroupUpdate)
_ACTIONS = CrudOps("/v1/actions", ActionRead, ActionCreate, ActionUpdate)
_PERSONAS = CrudOps("/v1/personas", PersonaRead, PersonaCreate, PersonaUpdate)
_ARGS = CrudOps("/v1/arguments", ArgumentRead, ArgumentCreate, ArgumentUpdate)
_ARG_LIST: TypeAdapter[list[ArgumentRead]] = TypeAdapter(list[ArgumentRead])
_TYPES = {".csv": "text/csv", ".json": "application/json"}
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

File = str | Path | tuple[str, bytes]


def _file(f: File) -> tuple[str, tuple[str, bytes, str]]:
    name, content = (f[0], f[1]) if isinstance(f, tuple) else (Path(f).name, Path(f).read_bytes())
    return ("files", (name, content, _TYPES.get(Path(name).suffix.lower(), _XLSX)))


def _upload(files: list[File], key: str | None) -> Op[UploadResponse]:
    return Op(
        "POST",
        "/v1/personas/upload",
        model(UploadResponse),
        files=[_file(f) for f in files],
        idempotency_key=key,
    )


def _confirm(token: str, resolution: str) -> Op[ConfirmResponse]:
    return Op(
        "POST",
        f"/v1/personas/upload/{token}/confirm",
        model(ConfirmResponse),
        body={"conflict_resolution": resolution},
    )


def _complete(fields: dict[str, Any]) -> Op[CompletionResponse]:
    body = dump(CompletionRequest.model_validate(fields))
    return Op("POST", "/v1/personas/completion", model(CompletionResponse), body=body)


def _insight(fields: dict[str, Any]) -> Op[InsightRead]:
    body = dump(InsightCreate.model_validate(fields))
    return Op("POST", "/v1/insights", model(InsightRead), body=body)


def _arguments(status: str | None, action_id: Id | None, page: int, page_size: int) -> Op[Any]:
    query = params(
        status=status,
        action_id=str(action_id) if action_id else None,
        page=page,
        page_size=page_size,
    )

    def parse(r: httpx.Response) -> list[ArgumentRead]:
        return _ARG_LIST.validate_json(r.content)

    return Op("GET", "/v1/arguments", parse, query)


def _review(ident: Id, status: str, reviewer: str | None, comments: str | None) -> Op[Any]:
    review = {"status": status, "reviewer": reviewer, "comments": comments}
    change = ArgumentUpdate.model_validate({"review": {k: v for k, v in review.items() if v}})
    return _ARGS.update(ident, change, {})


class ActionGroups(SyncCrud[ActionGroupRead, ActionGroupCreate, ActionGroupUpdate]):
    ops = _GROUPS

    def get(self, group_id: Id) -> ActionGroupRead:
        return self._t.run(_GROUPS.get(group_id))

    def update(self, group_id: Id, body: ActionGroupUpdate | None = None, /, **f: Any) -> Any:
        return self._t.run(_GROUPS.update(group_id, body, f))

    def delete(self, group_id: Id) -> None:
        self._t.run(_GROUPS.delete(group_id))


class Actions(SyncCrud[ActionRead, ActionCreate, ActionUpdate]):
    ops = _ACTIONS

    def get(self, action_id: Id) -> ActionRead:
        return self._t.run(_ACTIONS.get(action_id))

    def update(self, action_id: Id, body: ActionUpdate | None = None, /, **f: Any) -> ActionRead:
        return self._t.run(_ACTIONS.update(action_id, body, f))

    def delete(self, action_id: Id) -> None:
        self._t.run(_ACTIONS.delete(action_id))


class Personas(SyncCrud[PersonaRead, PersonaCreate, PersonaUpdate]):
    """``upload`` reads files (paths, or ``(name, bytes)``) and answers the conflicts found;
    nothing is imported until ``confirm(upload_token, "overwrite" | "create" | "skip")``."""

    ops = _PERSONAS

    def get(self, persona_id: Id) -> PersonaRead:
        return self._t.run(_PERSONAS.get(persona_id))

    def update(self, persona_id: Id, body: PersonaUpdate | None = None, /, **f: Any) -> Any:
        return self._t.run(_PERSONAS.update(persona_id, body, f))

    def delete(self, persona_id: Id) -> None:
        self._t.run(_PERSONAS.delete(persona_id))

    def complete(self, **fields: Any) -> CompletionResponse:
        return self._t.run(_complete(fields))

    def upload(self, *files: File, idempotency_key: str | None = None) -> UploadResponse:
        return self._t.run(_upload(list(files), idempotency_key))

    def confirm(self, upload_token: str, conflict_resolution: str = "skip") -> ConfirmResponse:
        return self._t.run(_confirm(upload_token, conflict_resolution))


class Insights:
    def __init__(self, transport: Any) -> None:
        self._t = transport

    def create(self, **fields: Any) -> InsightRead:
        return self._t.run(_insight(fields))  # type: ignore[no-any-return]


class Arguments(SyncCrud[ArgumentRead, ArgumentCreate, ArgumentUpdate]):
    """``list`` is one page of the review queue (seed 004 answers a bare array)."""

    ops = _ARGS

    def list(  # type: ignore[override]
        self,
        *,
        status: str | None = None,
        action_id: Id | None = None,
        page: int = 1,
        page_size: int = 100,
    ) -> list[ArgumentRead]:
        return self._t.run(_arguments(status, action_id, page, page_size))

    def get(self, argument_id: Id) -> ArgumentRead:
        return self._t.run(_ARGS.get(argument_id))

    def review(
        self,
        argument_id: Id,
        status: str,
        *,
        reviewer: str | None = None,
        comments: str | None = None,
    ) -> ArgumentRead:
        return self._t.run(_review(argument_id, status, reviewer, comments))  # type: ignore[no-any-return]

    def update(self, argument_id: Id, body: ArgumentUpdate | None = None, /, **f: Any) -> Any:
        return self._t.run(_ARGS.update(argument_id, body, f))

    def delete(self, argument_id: Id) -> None:
        self._t.run(_ARGS.delete(argument_id))


class AsyncActionGroups(AsyncCrud[ActionGroupRead, ActionGroupCreate, ActionGroupUpdate]):
    ops = _GROUPS

    async def get(self, group_id: Id) -> ActionGroupRead:
        return await self._t.run(_GROUPS.get(group_id))

    async def update(
        self, group_id: Id, body: ActionGroupUpdate | None = None, /, **f: Any
    ) -> ActionGroupRead:
        return await self._t.run(_GROUPS.update(group_id, body, f))

    async def delete(self, group_id: Id) -> None:
        await self._t.run(_GROUPS.delete(group_id))


class AsyncActions(AsyncCrud[ActionRead, ActionCreate, ActionUpdate]):
    ops = _ACTIONS

    async def get(self, action_id: Id) -> ActionRead:
        return await self._t.run(_ACTIONS.get(action_id))

    async def update(self, action_id: Id, body: ActionUpdate | None = None, /, **f: Any) -> Any:
        return await self._t.run(_ACTIONS.update(action_id, body, f))

    async def delete(self, action_id: Id) -> None:
        await self._t.run(_ACTIONS.delete(action_id))


class AsyncPersonas(AsyncCrud[PersonaRead, PersonaCreate, PersonaUpdate]):
    ops = _PERSONAS

    async def get(self, persona_id: Id) -> PersonaRead:
        return await self._t.run(_PERSONAS.get(persona_id))

    async def update(self, persona_id: Id, body: PersonaUpdate | None = None, /, **f: Any) -> Any:
        return await self._t.run(_PERSONAS.update(persona_id, body, f))

    async def delete(self, persona_id: Id) -> None:
        await self._t.run(_PERSONAS.delete(persona_id))

    async def complete(self, **fields: Any) -> CompletionResponse:
        return await self._t.run(_complete(fields))

    async def upload(self, *files: File, idempotency_key: str | None = None) -> UploadResponse:
        return await self._t.run(_upload(list(files), idempotency_key))

    async def confirm(self, upload_token: str, conflict_resolution: str = "skip") -> Any:
        return await self._t.run(_confirm(upload_token, conflict_resolution))


class AsyncInsights:
    def __init__(self, transport: Any) -> None:
        self._t = transport

    async def create(self, **fields: Any) -> InsightRead:
        return await self._t.run(_insight(fields))  # type: ignore[no-any-return]


class AsyncArguments(AsyncCrud[ArgumentRead, ArgumentCreate, ArgumentUpdate]):
    ops = _ARGS

    async def list(  # type: ignore[override]
        self,
        *,
        status: str | None = None,
        action_id: Id | None = None,
        page: int = 1,
        page_size: int = 100,
    ) -> list[ArgumentRead]:
        return await self._t.run(_arguments(status, action_id, page, page_size))

    async def get(self, argument_id: Id) -> ArgumentRead:
        return await self._t.run(_ARGS.get(argument_id))

    async def review(
        self,
        argument_id: Id,
        status: str,
        *,
        reviewer: str | None = None,
        comments: str | None = None,
    ) -> ArgumentRead:
        return await self._t.run(_review(argument_id, status, reviewer, comments))

    async def update(
        self, argument_id: Id, body: ArgumentUpdate | None = None, /, **f: Any
    ) -> ArgumentRead:
        return await self._t.run(_ARGS.update(argument_id, body, f))

    async def delete(self, argument_id: Id) -> None:
        await self._t.run(_ARGS.delete(argument_id))
