"""Spaces: list and create (the pattern every console form follows)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from spacegate.client.errors import APIStatusError
from spacegate.console.api import FormError
from spacegate.console.deps import ConsoleDep, FormDep
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
    return render(request, "spaces/list.html", context, status_code=error.status if error else 200)


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
