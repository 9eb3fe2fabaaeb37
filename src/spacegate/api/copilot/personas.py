"""Seed 004 "personas": CRUD, model-assisted completion, and file imports (upload, confirm)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Request, UploadFile

from spacegate.api.copilot.deps import caller_client, end_reads
from spacegate.api.deps import CursorsDep, SessionDep
from spacegate.api.docs import AUTHED, errors
from spacegate.api.routing import UnitOfWorkRoute
from spacegate.auth.dependencies import PrincipalDep
from spacegate.auth.scope import SpaceScope, SpaceScopeDep
from spacegate.copilot import personas
from spacegate.copilot.persona_import import PersonaImports, upload_answer
from spacegate.copilot.persona_import import UploadFile as Upload
from spacegate.copilot.personas import PersonaService
from spacegate.errors import AppError
from spacegate.resources.router import crud_router
from spacegate.wire.copilot.personas import (
    CompletionRequest,
    CompletionResponse,
    ConfirmRequest,
    ConfirmResponse,
    PersonaCreate,
    PersonaRead,
    PersonaUpdate,
    UploadResponse,
)

router = APIRouter(prefix="/v1/personas", tags=["personas"], route_class=UnitOfWorkRoute)


@router.api_route("/completion", methods=["GET", "PUT", "PATCH", "DELETE"], include_in_schema=False)
@router.api_route("/upload", methods=["GET", "PUT", "PATCH", "DELETE"], include_in_schema=False)
async def only_post(_principal: PrincipalDep) -> None:
    """Without this, ``PATCH /v1/personas/upload`` would match ``/v1/personas/{id}`` (422)."""
    raise AppError(
        "Method Not Allowed", status_code=405, code="method_not_allowed", headers={"Allow": "POST"}
    )


crud_router(
    PersonaService,
    router=router,
    prefix="/v1/personas",
    tag="personas",
    create=PersonaCreate,
    update=PersonaUpdate,
    read=PersonaRead,
)


@router.post(
    "/completion",
    summary="Generate persona completion",
    description="The current persona changed as the prompt asks, written by a model through the "
    "gateway (step type `persona_completion`) and validated against the persona schema "
    "(repaired or asked again once). Nothing is stored.",
    responses=errors(*AUTHED, 400, 402, 404, 429, 502),
)
async def complete_persona(
    body: CompletionRequest, request: Request, scope: SpaceScopeDep, session: SessionDep
) -> CompletionResponse:
    scope.require("personas:update")
    await end_reads(session)
    client = caller_client(request, scope, personas.PURPOSE)
    history = [m.model_dump() for m in body.history]
    answer = await personas.complete(
        client, body.current_persona, history, body.prompt, model=body.model
    )
    return CompletionResponse.model_validate(answer.value.model_dump())


def _can_import(scope: SpaceScopeDep) -> SpaceScope:
    # Before the form is read: a caller who may not import learns nothing about its files.
    scope.require("personas:create")
    return scope


ImportScope = Annotated[SpaceScope, Depends(_can_import)]


@router.post(
    "/upload",
    summary="Upload persona files",
    description="Reads every row of the files (CSV, XLSX or JSON; columns name, birthdate, "
    "notes, and any others into `data`) and finds those matching an existing persona (same "
    "name, ignoring case and accents, and same birthdate). Nothing is imported until the upload "
    "is confirmed. A file with a bad row is refused (422) with the rows named.",
    responses=errors(*AUTHED, 400, 404),
)
async def upload_personas(
    files: Annotated[list[UploadFile], File(description="Files containing persona data")],
    scope: ImportScope,
    session: SessionDep,
    cursors: CursorsDep,
) -> UploadResponse:
    read = [Upload(f.filename or "upload", f.content_type, await f.read()) for f in files]
    imports = PersonaImports(PersonaService(session, scope, cursors))
    upload, token = await imports.upload(read)
    return UploadResponse.model_validate(upload_answer(upload, token))


Token = Annotated[
    str, Path(max_length=200, description="Upload token from previous upload response")
]


@router.post(
    "/upload/{upload_token}/confirm",
    summary="Confirm pending persona upload",
    description="Imports the upload in one transaction, resolving its conflicts as asked. A "
    "token works once, in its own space, until it expires.",
    responses=errors(*AUTHED, 400, 404, 409, 410),
)
async def confirm_upload(
    upload_token: Token,
    body: ConfirmRequest,
    scope: SpaceScopeDep,
    session: SessionDep,
    cursors: CursorsDep,
) -> ConfirmResponse:
    imports = PersonaImports(PersonaService(session, scope, cursors))
    return ConfirmResponse.model_validate(
        await imports.confirm(upload_token, body.conflict_resolution)
    )
