"""API keys: create (the secret is shown once, on the result page), list, revoke (after a
confirmation; revoking the key this session signed in with signs the browser out)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from spacegate.client.errors import APIStatusError
from spacegate.console.api import FormError
from spacegate.console.deps import Console, ConsoleDep, FormDep
from spacegate.console.render import redirect, render
from spacegate.console.session import COOKIE, PATH
from spacegate.kit.apikeys import display_prefix

router = APIRouter()
#: Optional per-key limits (``PUT /v1/api-keys/{id}/limits``, needs ``api-keys:manage``).
LIMITS = {
    "rpm": "Requests per minute",
    "tpm": "Tokens per minute",
    "max_concurrency": "Calls in flight at once",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class InvalidFields(Exception):
    """Fields the console checks before calling the API (so no half-made key is left behind)."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields


def is_session_key(console: Console, key: dict[str, Any]) -> bool:
    """Whether ``key`` (from the API) is the one this console session signed in with."""
    return bool(key.get("prefix") == display_prefix(console.session.api_key))


async def _spaces(console: Console) -> list[dict[str, Any]]:
    if not console.can("spaces:list"):
        return []
    page = await console.api.get("/v1/spaces", limit=100)
    spaces: list[dict[str, Any]] = page["data"]
    return spaces


async def _list_page(
    request: Request,
    console: Console,
    *,
    after: str | None = None,
    form: dict[str, str] | None = None,
    error: FormError | None = None,
) -> HTMLResponse:
    page = await console.api.get("/v1/api-keys", limit=50, after=after)
    spaces = await _spaces(console)
    keys = page["data"]
    for key in keys:
        key["this_session"] = is_session_key(console, key)
    context = {
        "keys": keys,
        "next_cursor": page.get("next_cursor") if page.get("has_more") else None,
        "spaces": spaces,
        "space_names": {str(s["id"]): s["name"] for s in spaces},
        "limits": LIMITS if console.can("api-keys:manage") else {},
        "form": form or {"idempotency_key": str(uuid.uuid4())},
        "error": error,
    }
    return render(request, "keys/list.html", context)


@router.get("/keys", response_class=HTMLResponse)
async def keys(request: Request, console: ConsoleDep, after: str | None = None) -> HTMLResponse:
    return await _list_page(request, console, after=after)


def _parse(form: dict[str, str], *, with_limits: bool) -> tuple[dict[str, Any], dict[str, int]]:
    """The create body and the limits to set, or ``InvalidFields``."""
    bad: dict[str, str] = {}
    body: dict[str, Any] = {"name": form.get("name", "")}
    if form.get("space_id"):
        body["space_id"] = form["space_id"]
    expires = form.get("expires_at", "")
    if expires:
        if _DATE.match(expires):
            body["expires_at"] = f"{expires}T00:00:00Z"
        else:
            bad["expires_at"] = "Enter a date as YYYY-MM-DD."
    limits: dict[str, int] = {}
    for name in LIMITS if with_limits else ():
        raw = form.get(name, "")
        if not raw:
            continue
        if not raw.isdigit() or int(raw) < 1:
            bad[name] = "Enter a whole number of at least 1, or leave it empty for no limit."
        else:
            limits[name] = int(raw)
    if bad:
        raise InvalidFields(bad)
    return body, limits


@router.post("/keys", response_class=HTMLResponse)
async def create_key(request: Request, form: FormDep) -> Response:
    console = form.console
    values = {k: form.get(k) for k in form.values()}  # one value per input, trimmed
    try:
        body, limits = _parse(values, with_limits=console.can("api-keys:manage"))
        created = await console.api.post(
            "/v1/api-keys", body, idempotency_key=values.get("idempotency_key") or None
        )
    except InvalidFields as exc:
        return await _list_page(
            request, console, form=values, error=FormError.of_fields(exc.fields)
        )
    except APIStatusError as exc:
        return await _list_page(request, console, form=values, error=FormError(exc))
    limits_error = None
    if limits:
        try:
            limits = await console.api.put(f"/v1/api-keys/{created['id']}/limits", limits)
        except APIStatusError as exc:
            limits_error = FormError(exc).message
    space = None
    if created.get("space_id"):
        space = await console.api.get(f"/v1/spaces/{created['space_id']}")
    context = {"key": created, "space": space, "limits": limits, "limits_error": limits_error}
    return render(request, "keys/created.html", context, status_code=201)


@router.get("/keys/{key_id}/revoke", response_class=HTMLResponse)
async def confirm_revoke(request: Request, key_id: uuid.UUID, console: ConsoleDep) -> Response:
    key = await console.api.get(f"/v1/api-keys/{key_id}")
    context = {"key": key, "this_session": is_session_key(console, key)}
    return render(request, "keys/confirm_revoke.html", context)


@router.post("/keys/{key_id}/revoke", response_class=HTMLResponse)
async def revoke_key(key_id: uuid.UUID, form: FormDep) -> Response:
    key = await form.console.api.delete(f"/v1/api-keys/{key_id}")
    if is_session_key(form.console, key):
        response = redirect(
            "/console/login",
            flash=f"API key “{key['name']}” revoked; it was this session's key, so you are "
            "signed out.",
        )
        response.delete_cookie(COOKIE, path=PATH)
        return response
    return redirect("/console/keys", flash=f"API key “{key['name']}” revoked.")
