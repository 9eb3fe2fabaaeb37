"""A space's members and pending invitations, and inviting people by email (the one-time
invitation tokens are shown on the result page, once)."""

from __future__ import annotations

import re
import uuid
from itertools import groupby
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from spacegate.client.errors import APIStatusError
from spacegate.console.api import FormError
from spacegate.console.deps import Console, ConsoleDep, FormDep
from spacegate.console.render import render

router = APIRouter()
_SEPARATORS = re.compile(r"[\s,;]+")
#: Looking up members' emails reads at most this many pages of the org's users.
_USER_PAGES = 10
#: Org-level permissions a space membership cannot meaningfully add (not offered as choices).
_ORG_LEVEL = (
    "orgs:",
    "users:",
    "providers:",
    "models:",
    "audit-logs:",
    "spaces:create",
    "spaces:list",
)


def space_permissions(console: Console, space_id: uuid.UUID | str) -> frozenset[str]:
    """What the signed-in key may do in one space: its org-wide permissions and, for a member,
    what its membership adds there (``/v1/users/me`` lists both per space)."""
    org_wide = frozenset(console.me.get("permissions", ()))
    for space in console.me.get("spaces", ()):
        if str(space.get("id")) == str(space_id):
            return org_wide | frozenset(space.get("permissions", ()))
    return org_wide


def grouped(permissions: frozenset[str]) -> list[tuple[str, list[str]]]:
    """``[("spaces", ["spaces:get", ...]), ...]``: checkboxes grouped by resource."""
    ordered = sorted(p for p in permissions if not p.startswith(_ORG_LEVEL))
    return [(k, list(g)) for k, g in groupby(ordered, key=lambda p: p.split(":", 1)[0])]


def parse_emails(text: str) -> list[str]:
    """One or several addresses, separated by commas, semicolons, spaces or new lines."""
    return list(dict.fromkeys(e for e in _SEPARATORS.split(text) if e))


async def _emails(console: Console, user_ids: set[str]) -> dict[str, str]:
    """Members' emails, when the key may list the org's users (otherwise ids are shown)."""
    found: dict[str, str] = {str(console.me["id"]): str(console.me["email"])}
    if not console.can("users:list"):
        return found
    after = None
    for _ in range(_USER_PAGES):
        if user_ids <= found.keys():
            break
        page = await console.api.get("/v1/users", limit=100, after=after)
        found.update({str(u["id"]): str(u["email"]) for u in page["data"]})
        if not page.get("has_more"):
            break
        after = page.get("next_cursor")
    return found


async def _members_page(
    request: Request,
    console: Console,
    space_id: uuid.UUID,
    *,
    form: dict[str, str] | None = None,
    granted: list[str] | None = None,
    error: FormError | None = None,
) -> HTMLResponse:
    space: dict[str, Any] = await console.api.get(f"/v1/spaces/{space_id}")
    may = space_permissions(console, space_id)
    members: list[dict[str, Any]] = await console.api.get(f"/v1/spaces/{space_id}/members")
    invitations = None
    if "spaces:invite" in may:
        invitations = await console.api.get(f"/v1/spaces/{space_id}/invitations")
    context = {
        "space": space,
        "tab": "members",
        "may": may,
        "members": members,
        "emails": await _emails(console, {str(m["user_id"]) for m in members}),
        "invitations": invitations,
        "choices": grouped(may),
        "granted": set(granted or ()),
        "form": form or {"idempotency_key": str(uuid.uuid4()), "role": "developer"},
        "error": error,
    }
    return render(request, "spaces/members.html", context)


@router.get("/spaces/{space_id}/members", response_class=HTMLResponse)
async def members(request: Request, space_id: uuid.UUID, console: ConsoleDep) -> HTMLResponse:
    return await _members_page(request, console, space_id)


@router.post("/spaces/{space_id}/invite", response_class=HTMLResponse)
async def invite(request: Request, space_id: uuid.UUID, form: FormDep) -> Response:
    granted = form.getlist("roles")
    body = {
        "emails": parse_emails(form.get("emails")),
        "roles": granted,
        "role": form.get("role") or "developer",
    }
    try:
        result = await form.console.api.post(
            f"/v1/spaces/{space_id}/invite", body, idempotency_key=form.get("idempotency_key")
        )
    except APIStatusError as exc:
        if exc.status_code == 404:
            raise
        return await _members_page(
            request,
            form.console,
            space_id,
            form=form.values(),
            granted=granted,
            error=FormError(exc),
        )
    space = await form.console.api.get(f"/v1/spaces/{space_id}")
    context = {"space": space, "tab": "members", "result": result}
    return render(request, "spaces/invited.html", context)
