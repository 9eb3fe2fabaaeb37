"""Spaces: list and create (the pattern every console form follows), the space's overview
(rename, delete with a confirmation step), and the deleted spaces, to restore one."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from spacegate.client.errors import APIStatusError
from spacegate.console.api import FormError
from spacegate.console.deps import Console, ConsoleDep, FormDep
from spacegate.console.pages import space_members
from spacegate.console.pages.space_members import space_permissions
from spacegate.console.render import redirect, render

router = APIRouter()


async def _list_page(
    request: Request,
    console: ConsoleDep,
    *,
    after: str | None = None,
    form: dict[str, str] | None = None,
    error: FormError | None = None,
) -> HTMLResponse:
    page = await console.api.get("/v1/spaces", limit=50, after=after)
    context = {
        "spaces": page["data"],
        "next_cursor": page.get("next_cursor") if page.get("has_more") else None,
        "form": form or {"idempotency_key": str(uuid.uuid4())},
        "error": error,
    }
    return render(request, "spaces/list.html", context)


@router.get("/spaces", response_class=HTMLResponse)
async def spaces(request: Request, console: ConsoleDep, after: str | None = None) -> HTMLResponse:
    return await _list_page(request, console, after=after)


@router.post("/spaces", response_class=HTMLResponse)
async def create_space(request: Request, form: FormDep) -> Response:
    body = {"name": form.get("name"), "description": form.get("description")}
    try:
        space = await form.console.api.post(
            "/v1/spaces", body, idempotency_key=form.get("idempotency_key") or None
        )
    except APIStatusError as exc:
        return await _list_page(request, form.console, form=form.values(), error=FormError(exc))
    return redirect(f"/console/spaces/{space['id']}", flash=f"Space “{space['name']}” created.")


async def _deleted_page(
    request: Request, console: Console, *, after: str | None = None, error: FormError | None = None
) -> HTMLResponse:
    page = await console.api.get("/v1/spaces", deleted="true", limit=50, after=after)
    context = {
        "spaces": page["data"],
        "next_cursor": page.get("next_cursor") if page.get("has_more") else None,
        "error": error,
    }
    return render(request, "spaces/deleted.html", context)


@router.get("/spaces/deleted", response_class=HTMLResponse)
async def deleted_spaces(
    request: Request, console: ConsoleDep, after: str | None = None
) -> HTMLResponse:
    return await _deleted_page(request, console, after=after)


@router.post("/spaces/{space_id}/restore", response_class=HTMLResponse)
async def restore_space(request: Request, space_id: uuid.UUID, form: FormDep) -> Response:
    try:
        await form.console.api.post(f"/v1/spaces/{space_id}/restore")
    except APIStatusError as exc:
        return await _deleted_page(request, form.console, error=FormError(exc))
    space = await form.console.api.get(f"/v1/spaces/{space_id}")
    return redirect(f"/console/spaces/{space_id}", flash=f"Space “{space['name']}” restored.")


async def _overview(
    request: Request,
    console: Console,
    space_id: uuid.UUID,
    *,
    form: dict[str, str] | None = None,
    error: FormError | None = None,
) -> HTMLResponse:
    space: dict[str, Any] = await console.api.get(f"/v1/spaces/{space_id}")
    context = {
        "space": space,
        "tab": "overview",
        "may": space_permissions(console, space_id),
        "form": form or {"name": space["name"], "description": space["description"]},
        "error": error,
    }
    return render(request, "spaces/detail.html", context)


@router.get("/spaces/{space_id}", response_class=HTMLResponse)
async def space_page(request: Request, space_id: uuid.UUID, console: ConsoleDep) -> HTMLResponse:
    return await _overview(request, console, space_id)


@router.post("/spaces/{space_id}", response_class=HTMLResponse)
async def update_space(request: Request, space_id: uuid.UUID, form: FormDep) -> Response:
    body = {"name": form.get("name"), "description": form.get("description")}
    try:
        space = await form.console.api.patch(f"/v1/spaces/{space_id}", body)
    except APIStatusError as exc:
        if exc.status_code == 404:
            raise
        return await _overview(
            request, form.console, space_id, form=form.values(), error=FormError(exc)
        )
    return redirect(f"/console/spaces/{space_id}", flash=f"Space “{space['name']}” saved.")


@router.get("/spaces/{space_id}/delete", response_class=HTMLResponse)
async def confirm_delete(request: Request, space_id: uuid.UUID, console: ConsoleDep) -> Response:
    space = await console.api.get(f"/v1/spaces/{space_id}")
    return render(request, "spaces/confirm_delete.html", {"space": space, "tab": "overview"})


@router.post("/spaces/{space_id}/delete", response_class=HTMLResponse)
async def delete_space(space_id: uuid.UUID, form: FormDep) -> Response:
    space = await form.console.api.get(f"/v1/spaces/{space_id}")
    await form.console.api.delete(f"/v1/spaces/{space_id}")
    restore = " It can be restored from Deleted spaces."
    if "spaces:restore" not in space_permissions(form.console, space_id):
        restore = ""
    return redirect("/console/spaces", flash=f"Space “{space['name']}” deleted.{restore}")


router.include_router(space_members.router)
