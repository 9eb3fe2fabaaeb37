"""A space's copilot chat: pick experts, toggle the guard and the router, talk, and see the
guard's and the router's verdicts beside each answer."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from spacegate.client.errors import APIStatusError
from spacegate.console.api import FormError, in_space
from spacegate.console.deps import Console, ConsoleDep, FormDep
from spacegate.console.render import redirect, render

router = APIRouter()


async def _page(
    request: Request,
    console: Console,
    space_id: uuid.UUID,
    chat_id: uuid.UUID | None,
    *,
    form: dict[str, Any] | None = None,
    turn: dict[str, Any] | None = None,
    error: FormError | None = None,
) -> HTMLResponse:
    space = await console.api.get(f"/v1/spaces/{space_id}")
    api, here = console.api, in_space(space_id)
    chats = await api.request("GET", "/v1/chats", params={"limit": 50}, headers=here)
    experts = await api.request("GET", "/v1/experts", params={"limit": 100}, headers=here)
    models = await api.request("GET", "/v1/models", headers=here)
    chat = None
    if chat_id is not None:
        chat = await api.request("GET", f"/v1/chats/{chat_id}", headers=here)
    last = (turn or (chat or {}).get("last_response")) or {}
    picked = (form or {}).get("expert_ids") or (chat or {}).get("expert_ids") or []
    context = {
        "space": space,
        "tab": "chat",
        "chats": chats["data"],
        "chat": chat,
        "experts": experts["data"],
        "models": [m["id"] for m in models["data"]],
        "picked": set(picked),
        "form": form
        or {
            "model": (chat or {}).get("model") or "",
            "guard_enabled": (chat or {}).get("guard_enabled", True),
            "router_enabled": (chat or {}).get("router_enabled", False),
        },
        "guard": last.get("guard") or {},
        "router": last.get("router") or {},
        "error": error,
    }
    return render(request, "chat/page.html", context)


@router.get("/spaces/{space_id}/chat", response_class=HTMLResponse)
async def chat_page(
    request: Request, space_id: uuid.UUID, console: ConsoleDep, chat: uuid.UUID | None = None
) -> HTMLResponse:
    return await _page(request, console, space_id, chat)


@router.post("/spaces/{space_id}/chat", response_class=HTMLResponse)
async def send(request: Request, space_id: uuid.UUID, form: FormDep) -> Response:
    chat_id = form.get("chat_id") or None
    body: dict[str, Any] = {
        "messages": [{"role": "user", "content": form.get("message")}],
        "guard_enabled": form.get("guard_enabled") == "on",
        "guard_reasoning_enabled": True,
        "router_enabled": form.get("router_enabled") == "on",
        "router_reasoning_enabled": True,
        "expert_ids": form.getlist("expert_ids"),
    }
    if form.get("model"):
        body["model"] = form.get("model")
    if chat_id:
        body["id"] = chat_id
    values = {
        **form.values(),
        "expert_ids": form.getlist("expert_ids"),
        "guard_enabled": body["guard_enabled"],
        "router_enabled": body["router_enabled"],
    }
    current = uuid.UUID(chat_id) if chat_id else None
    try:
        turn = await form.console.api.request(
            "POST", "/v1/chat/completions", json=body, headers=in_space(space_id)
        )
    except APIStatusError as exc:
        return await _page(
            request, form.console, space_id, current, form=values, error=FormError(exc)
        )
    return redirect(f"/console/spaces/{space_id}/chat?chat={turn['id']}")


@router.post("/spaces/{space_id}/chat/{chat_id}/delete", response_class=HTMLResponse)
async def delete_chat(space_id: uuid.UUID, chat_id: uuid.UUID, form: FormDep) -> Response:
    await form.console.api.request("DELETE", f"/v1/chats/{chat_id}", headers=in_space(space_id))
    return redirect(f"/console/spaces/{space_id}/chat", flash="Chat deleted.")
