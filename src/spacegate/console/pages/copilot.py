"""A space's copilot work: its actions, the review queue of generated arguments, and persona
imports (the conflicts an upload found are shown before it is confirmed)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from spacegate.client.errors import APIStatusError
from spacegate.console.api import FormError, in_space
from spacegate.console.deps import Console, ConsoleDep, Form, FormDep
from spacegate.console.render import redirect, render
from spacegate.copilot.arguments import STATUSES, TRANSITIONS

router = APIRouter()
PRIORITIES = ("very_low", "low", "medium", "high", "very_high")
ACTION_STATUSES = ("draft", "active", "inactive", "archived")


# -- actions ----------------------------------------------------------------------------------


async def _actions_page(
    request: Request,
    console: Console,
    space_id: uuid.UUID,
    *,
    form: dict[str, Any] | None = None,
    error: FormError | None = None,
) -> HTMLResponse:
    api, here = console.api, in_space(space_id)
    space = await api.get(f"/v1/spaces/{space_id}")
    actions = await api.request("GET", "/v1/actions", params={"limit": 100}, headers=here)
    groups = await api.request("GET", "/v1/action-groups", params={"limit": 100}, headers=here)
    models = await api.request("GET", "/v1/models", headers=here)
    names = {g["id"]: g["name"] for g in groups["data"]}
    context = {
        "space": space,
        "tab": "actions",
        "actions": actions["data"],
        "groups": groups["data"],
        "group_names": names,
        "models": [m["id"] for m in models["data"]],
        "priorities": PRIORITIES,
        "statuses": ACTION_STATUSES,
        "form": form or {"priority": "medium", "status": "draft"},
        "error": error,
    }
    return render(request, "copilot/actions.html", context)


@router.get("/spaces/{space_id}/actions", response_class=HTMLResponse)
async def actions_page(request: Request, space_id: uuid.UUID, console: ConsoleDep) -> HTMLResponse:
    return await _actions_page(request, console, space_id)


def _action_body(form: Form) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": form.get("name"),
        "description": form.get("description"),
        "type": form.get("type"),
        "priority": form.get("priority"),
        "status": form.get("status"),
    }
    for name in ("channel", "channel_template", "custom_insights", "model_id", "group"):
        if form.get(name):
            body[name] = form.get(name)
    for name in ("start_date", "end_date"):
        if form.get(name):
            body[name] = form.get(name) + ("" if "T" in form.get(name) else "T00:00:00Z")
    return body


@router.post("/spaces/{space_id}/actions", response_class=HTMLResponse)
async def create_action(request: Request, space_id: uuid.UUID, form: FormDep) -> Response:
    try:
        await form.console.api.request(
            "POST", "/v1/actions", json=_action_body(form), headers=in_space(space_id)
        )
    except APIStatusError as exc:
        return await _actions_page(
            request, form.console, space_id, form=form.values(), error=FormError(exc)
        )
    return redirect(f"/console/spaces/{space_id}/actions", flash="Action created.")


@router.post("/spaces/{space_id}/actions/{action_id}/status", response_class=HTMLResponse)
async def action_status(space_id: uuid.UUID, action_id: uuid.UUID, form: FormDep) -> Response:
    await form.console.api.request(
        "PATCH",
        f"/v1/actions/{action_id}",
        json={"status": form.get("status")},
        headers=in_space(space_id),
    )
    return redirect(f"/console/spaces/{space_id}/actions", flash="Action updated.")


@router.post("/spaces/{space_id}/actions/{action_id}/delete", response_class=HTMLResponse)
async def delete_action(space_id: uuid.UUID, action_id: uuid.UUID, form: FormDep) -> Response:
    await form.console.api.request("DELETE", f"/v1/actions/{action_id}", headers=in_space(space_id))
    return redirect(f"/console/spaces/{space_id}/actions", flash="Action deleted.")


# -- arguments: the review queue ----------------------------------------------------------------


@router.get("/spaces/{space_id}/arguments", response_class=HTMLResponse)
async def review_queue(
    request: Request,
    space_id: uuid.UUID,
    console: ConsoleDep,
    status: str = "waiting_review",
    page: int = 1,
) -> HTMLResponse:
    api, here = console.api, in_space(space_id)
    space = await api.get(f"/v1/spaces/{space_id}")
    wanted = status if status in STATUSES else None
    params = {"status": wanted, "page": max(page, 1), "page_size": 50}
    rows = await api.request("GET", "/v1/arguments", params=params, headers=here)
    context = {
        "space": space,
        "tab": "arguments",
        "arguments": rows,
        "status": wanted or "",
        "statuses": STATUSES,
        "transitions": TRANSITIONS,
        "page": max(page, 1),
        "has_next": len(rows) == 50,
    }
    return render(request, "copilot/arguments.html", context)


@router.post("/spaces/{space_id}/arguments/{argument_id}/review", response_class=HTMLResponse)
async def review(space_id: uuid.UUID, argument_id: uuid.UUID, form: FormDep) -> Response:
    change = {"status": form.get("status")}
    if form.get("comments"):
        change["comments"] = form.get("comments")
    back = f"/console/spaces/{space_id}/arguments?status={form.get('queue')}"
    try:
        await form.console.api.request(
            "PATCH",
            f"/v1/arguments/{argument_id}",
            json={"review": change},
            headers=in_space(space_id),
        )
    except APIStatusError as exc:
        return redirect(back, flash=FormError(exc).message)
    return redirect(back, flash=f"Review moved to {form.get('status')}.")


# -- personas: imports --------------------------------------------------------------------------


async def _personas_page(
    request: Request,
    console: Console,
    space_id: uuid.UUID,
    *,
    upload: dict[str, Any] | None = None,
    error: FormError | None = None,
    rows: list[dict[str, Any]] | None = None,
) -> HTMLResponse:
    api, here = console.api, in_space(space_id)
    space = await api.get(f"/v1/spaces/{space_id}")
    personas = await api.request("GET", "/v1/personas", params={"limit": 100}, headers=here)
    context = {
        "space": space,
        "tab": "personas",
        "personas": personas["data"],
        "upload": upload,
        "error": error,
        "rows": rows or [],
    }
    return render(request, "copilot/personas.html", context)


def _bad_rows(exc: APIStatusError) -> list[dict[str, Any]]:
    """The rows an upload refused, as the API named them."""
    try:
        rows = exc.response.json().get("rows")
    except (ValueError, AttributeError):
        return []
    return rows if isinstance(rows, list) else []


@router.get("/spaces/{space_id}/personas", response_class=HTMLResponse)
async def personas_page(request: Request, space_id: uuid.UUID, console: ConsoleDep) -> HTMLResponse:
    return await _personas_page(request, console, space_id)


@router.post("/spaces/{space_id}/personas/upload", response_class=HTMLResponse)
async def upload(request: Request, space_id: uuid.UUID, form: FormDep) -> Response:
    files = []
    for item in form.data.getlist("files"):
        if isinstance(item, UploadFile) and item.filename:
            content = await item.read()
            await item.close()
            files.append(("files", (item.filename, content, item.content_type or "")))
    if not files:
        error = FormError.of_fields({"files": "Choose a CSV, XLSX or JSON file."})
        return await _personas_page(request, form.console, space_id, error=error)
    try:
        answer = await form.console.api.request(
            "POST", "/v1/personas/upload", files=files, headers=in_space(space_id)
        )
    except APIStatusError as exc:
        return await _personas_page(
            request, form.console, space_id, error=FormError(exc), rows=_bad_rows(exc)
        )
    return await _personas_page(request, form.console, space_id, upload=answer)


@router.post("/spaces/{space_id}/personas/confirm", response_class=HTMLResponse)
async def confirm(request: Request, space_id: uuid.UUID, form: FormDep) -> Response:
    token = form.get("upload_token")
    try:
        done = await form.console.api.request(
            "POST",
            f"/v1/personas/upload/{token}/confirm",
            json={"conflict_resolution": form.get("conflict_resolution") or "skip"},
            headers=in_space(space_id),
        )
    except APIStatusError as exc:
        return await _personas_page(request, form.console, space_id, error=FormError(exc))
    return redirect(f"/console/spaces/{space_id}/personas", flash=str(done["message"]))
