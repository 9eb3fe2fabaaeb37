"""A space's models: which registry models it may use, on what terms, and what is left.

The rows are entitlements, read through both dialects that serve them: MechaMental's model
entitlements (limits, allow-lists, counters) and Aimable's allowed models (ids and the default),
plus ``/v1/me/entitlements`` for what is used and left of each rate and budget.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from spacegate.client.errors import APIStatusError
from spacegate.console.api import FormError
from spacegate.console.deps import Console, ConsoleDep, Form, FormDep, FormValues
from spacegate.console.pages.model_forms import (
    checked,
    every,
    form_error,
    plain,
    text,
    words,
)
from spacegate.console.render import redirect, render
from spacegate.wire.mechamental.limits import ENDPOINTS, STEP_TYPES

router = APIRouter()

RATES = ("rpm", "tpm", "max_tokens_per_request")
BUDGETS = ("token_budget", "cost_budget")
PERIODS = ("day", "week", "month")
LISTS = ("allowed_endpoints", "allowed_step_types")
LIMIT = "workspace_limits"
RATE_NAMES = {"rpm": "Requests per minute", "tpm": "Tokens per minute"}


def _base(space_id: uuid.UUID) -> str:
    return f"/console/spaces/{space_id}/models"


def _entitlements_path(console: Console, space_id: uuid.UUID) -> str:
    return f"/v1/orgs/{console.me['org_id']}/workspaces/{space_id}/model-entitlements"


# -- what is used and left --------------------------------------------------------------------


def _when(value: datetime) -> dict[str, str]:
    at = value.astimezone(UTC)
    return {"iso": at.isoformat(), "text": at.strftime("%Y-%m-%d %H:%M UTC")}


def _amount(value: Decimal | int, *, money: bool) -> str:
    return f"{value:,.2f}" if money else f"{int(value):,}"


async def _usage(console: Console, space_id: uuid.UUID) -> dict[str, dict[str, Any]]:
    """Per model alias: each rate and budget with what is used, left and when it resets."""
    try:
        mine = await console.api.sdk.limits.mine(space_id)
    except APIStatusError:
        return {}  # the table still shows the entitlements' own counters
    out: dict[str, dict[str, Any]] = {}
    for m in mine.data:
        rates = [
            {
                "name": RATE_NAMES.get(name, name),
                "limit": f"{r.limit:,}",
                "used": f"{r.used:,}",
                "left": f"{r.left:,}",
                "max": r.limit,
                "value": r.used,
                "resets": _when(r.resets_at),
            }
            for name, r in m.rates.items()
        ]
        budgets = []
        for name, b in m.budgets.items():
            money = name == "cost_budget"
            budgets.append(
                {
                    "name": "Cost" if money else "Tokens",
                    "period": b.period,
                    "limit": _amount(b.limit, money=money),
                    "used": _amount(b.used, money=money),
                    "left": _amount(b.left, money=money),
                    "max": float(b.limit),
                    "value": float(min(b.used, b.limit)),
                    "resets": _when(b.resets_at),
                }
            )
        out[m.model] = {"rates": rates, "budgets": budgets}
    return out


def _limits_summary(limits: dict[str, Any]) -> list[str]:
    parts = []
    for name, label in (("rpm", "requests/min"), ("tpm", "tokens/min")):
        if limits.get(name):
            parts.append(f"{limits[name]:,} {label}")
    if limits.get("max_tokens_per_request"):
        parts.append(f"≤ {limits['max_tokens_per_request']:,} tokens/request")
    return parts


# -- the space's model list -------------------------------------------------------------------


async def _list_page(
    request: Request,
    console: Console,
    space_id: uuid.UUID,
    *,
    after: str | None = None,
    form: dict[str, Any] | None = None,
    error: FormError | None = None,
) -> HTMLResponse:
    space = await console.api.get(f"/v1/spaces/{space_id}")
    allowed = await console.api.get(f"/v1/spaces/{space_id}/models", limit=100, cursor=after)
    ents = await console.api.get(_entitlements_path(console, space_id), limit=100, cursor=after)
    policy = await console.api.get(f"/api-proxy/v1/spaces/{space_id}/model-policy")
    usage = await _usage(console, space_id)
    by_alias = {e["logical_model_id"]: e for e in ents["entitlements"]}
    rows = []
    for item in allowed["data"]:
        ent = by_alias.get(item["alias"])
        if ent is None:
            continue
        rows.append(
            {
                **item,
                "entitlement": ent,
                "limits": _limits_summary(ent[LIMIT]),
                "usage": usage.get(item["alias"], {"rates": [], "budgets": []}),
            }
        )
    candidates: list[dict[str, Any]] = []
    if console.can("entitlements:grant"):
        have = {r["tenant_model_id"] for r in rows}
        candidates = [
            m
            for m in await every(console.api, "/v1/tenant-models")
            if m["tenant_model_id"] not in have
        ]
    context = {
        "space": space,
        "tab": "models",
        "rows": rows,
        "total": ents["total"],
        "policy": policy,
        "candidates": candidates,
        "next_cursor": allowed["meta"]["next_cursor"] if allowed["meta"]["has_more"] else None,
        "form": form or {"idempotency_key": str(uuid.uuid4()), "is_enabled": "on"},
        "error": error,
    }
    return render(request, "space_models/list.html", context)


@router.get("/spaces/{space_id}/models", response_class=HTMLResponse)
async def space_models(
    request: Request, console: ConsoleDep, space_id: uuid.UUID, after: str | None = None
) -> HTMLResponse:
    return await _list_page(request, console, space_id, after=after)


@router.post("/spaces/{space_id}/models", response_class=HTMLResponse)
async def add_model(request: Request, form: FormDep, space_id: uuid.UUID) -> Response:
    body = {
        "tenant_model_id": form.get("tenant_model_id"),
        "is_enabled": checked(form, "is_enabled"),
        "is_default": checked(form, "is_default"),
    }
    try:
        added = await form.console.api.post(
            f"/v1/spaces/{space_id}/models", body, idempotency_key=text(form, "idempotency_key")
        )
    except APIStatusError as exc:
        return await _list_page(
            request, form.console, space_id, form=form.values(), error=form_error(exc)
        )
    alias = added["data"]["alias"]
    return redirect(_base(space_id), flash=f"“{alias}” is now allowed in this space.")


@router.post("/spaces/{space_id}/models/policy", response_class=HTMLResponse)
async def set_policy(request: Request, form: FormDep, space_id: uuid.UUID) -> Response:
    body: dict[str, Any] = {"default_model_id": text(form, "default_model_id")}
    if form.get("mode"):
        body["mode"] = form.get("mode")
    try:
        await form.console.api.put(f"/api-proxy/v1/spaces/{space_id}/model-policy", body)
    except APIStatusError as exc:
        return await _list_page(request, form.console, space_id, error=form_error(exc))
    return redirect(_base(space_id), flash="Model policy saved.")


async def _act(
    request: Request, form: Form, space_id: uuid.UUID, model_id: uuid.UUID, action: str
) -> Response:
    """One button on a row: enable, disable, make default, remove."""
    api = form.console.api
    try:
        model = await api.get(f"/v1/tenant-models/{model_id}")
        alias = model["alias"]
        path = f"{_entitlements_path(form.console, space_id)}/{alias}"
        if action in ("enable", "disable"):
            await api.patch(path, {"enabled": action == "enable"})
            message = f"“{alias}” {action}d."
        elif action == "default":
            policy = f"/api-proxy/v1/spaces/{space_id}/model-policy"
            await api.put(policy, {"default_model_id": str(model_id)})
            message = f"“{alias}” is now the space's default model."
        else:
            await api.delete(path)
            message = f"“{alias}” removed from this space."
    except APIStatusError as exc:
        return await _list_page(request, form.console, space_id, error=form_error(exc))
    return redirect(_base(space_id), flash=message)


@router.post("/spaces/{space_id}/models/{model_id}/{action}", response_class=HTMLResponse)
async def row_action(
    request: Request,
    form: FormDep,
    space_id: uuid.UUID,
    model_id: uuid.UUID,
    action: Literal["enable", "disable", "default", "remove"],
) -> Response:
    return await _act(request, form, space_id, model_id, action)


# -- one model's terms in the space -----------------------------------------------------------


def _rules(form: Form) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    for name in RATES:
        if value := text(form, f"{LIMIT}-{name}"):
            limits[name] = value
    for name in BUDGETS:
        if value := text(form, f"{LIMIT}-{name}-limit"):
            limits[name] = {"limit": value, "period": form.get(f"{LIMIT}-{name}-period") or "month"}
    return {
        LIMIT: limits,
        **{name: form.getlist(name) for name in LISTS},
        "allowed_purposes": words(form.get("allowed_purposes")),
        "enabled": checked(form, "enabled"),
    }


def _values(ent: dict[str, Any]) -> FormValues:
    limits = ent[LIMIT]
    values = FormValues(
        {
            "enabled": "on" if ent["enabled"] else "",
            "allowed_endpoints": ent["allowed_endpoints"],
            "allowed_step_types": ent["allowed_step_types"],
            "allowed_purposes": ", ".join(ent["allowed_purposes"]),
        }
    )
    for name in RATES:
        values[f"{LIMIT}-{name}"] = limits.get(name) or ""
    for name in BUDGETS:
        budget = limits.get(name) or {}
        values[f"{LIMIT}-{name}-limit"] = plain(budget["limit"]) if budget else ""
        values[f"{LIMIT}-{name}-period"] = budget.get("period", "month")
    return values


async def _edit_page(
    request: Request,
    console: Console,
    space_id: uuid.UUID,
    model_id: uuid.UUID,
    *,
    form: dict[str, Any] | None = None,
    error: FormError | None = None,
) -> HTMLResponse:
    space = await console.api.get(f"/v1/spaces/{space_id}")
    model = await console.api.get(f"/v1/tenant-models/{model_id}")
    ent = await console.api.get(f"{_entitlements_path(console, space_id)}/{model['alias']}")
    policy = await console.api.get(f"/api-proxy/v1/spaces/{space_id}/model-policy")
    usage = (await _usage(console, space_id)).get(model["alias"], {"rates": [], "budgets": []})
    context = {
        "space": space,
        "tab": "models",
        "model": model,
        "entitlement": ent,
        "is_default": policy["default_model_id"] == model["tenant_model_id"],
        "usage": usage,
        "form": form or _values(ent),
        "error": error,
        "endpoints": ENDPOINTS,
        "step_types": STEP_TYPES,
        "periods": PERIODS,
        "limit_key": LIMIT,
    }
    return render(request, "space_models/edit.html", context)


@router.get("/spaces/{space_id}/models/{model_id}", response_class=HTMLResponse)
async def space_model(
    request: Request, console: ConsoleDep, space_id: uuid.UUID, model_id: uuid.UUID
) -> HTMLResponse:
    return await _edit_page(request, console, space_id, model_id)


@router.post("/spaces/{space_id}/models/{model_id}", response_class=HTMLResponse)
async def save_space_model(
    request: Request, form: FormDep, space_id: uuid.UUID, model_id: uuid.UUID
) -> Response:
    api = form.console.api
    try:
        model = await api.get(f"/v1/tenant-models/{model_id}")
        await api.patch(
            f"{_entitlements_path(form.console, space_id)}/{model['alias']}", _rules(form)
        )
    except APIStatusError as exc:
        return await _edit_page(
            request,
            form.console,
            space_id,
            model_id,
            form=form.values(),
            error=form_error(exc),
        )
    return redirect(
        f"{_base(space_id)}/{model_id}", flash=f"“{model['alias']}” saved for this space."
    )
