"""The org's model registry: provider connections (credentials write-only) and models with their
targets, prices and capabilities; add and edit both."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from spacegate.client.errors import APIStatusError
from spacegate.console.api import FormError
from spacegate.console.deps import Console, ConsoleDep, Form, FormDep
from spacegate.console.pages.model_forms import (
    checked,
    every,
    form_error,
    plain,
    present,
    text,
)
from spacegate.console.pages.model_forms import words as split_words
from spacegate.console.render import redirect, render

router = APIRouter()

PROVIDER_TYPES = ("openai", "anthropic", "azure_openai")
CONFIG_FIELDS = ("api_version", "anthropic_version", "organization", "project", "timeout_seconds")
PROVIDER_LIMITS = ("rpm", "tpm", "max_concurrency")
STRATEGIES = ("priority", "round_robin", "lowest_latency")
_ROW = re.compile(r"^targets-(\d+)-")
_MAX_ROWS = 16


# -- shared page pieces -----------------------------------------------------------------------


async def _providers(console: Console) -> list[dict[str, Any]] | None:
    """The org's provider connections, or None when the key may not list them."""
    if not console.can("providers:list"):
        return None
    return await every(console.api, "/v1/providers")


def _names(providers: list[dict[str, Any]] | None) -> dict[str, str]:
    return {p["id"]: p["name"] for p in providers or ()}


def _row_count(values: dict[str, Any]) -> int:
    found = [int(m.group(1)) for k in values if (m := _ROW.match(k))]
    return min(max(found, default=-1) + 1, _MAX_ROWS)


def _context(providers: list[dict[str, Any]] | None, **extra: Any) -> dict[str, Any]:
    return {
        "providers": providers,
        "provider_names": _names(providers),
        "provider_types": PROVIDER_TYPES,
        "config_fields": CONFIG_FIELDS,
        "provider_limits": PROVIDER_LIMITS,
        "strategies": STRATEGIES,
        **extra,
    }


async def _list_page(
    request: Request,
    console: Console,
    *,
    after: str | None = None,
    provider_form: dict[str, Any] | None = None,
    provider_error: FormError | None = None,
    model_form: dict[str, Any] | None = None,
    model_error: FormError | None = None,
    rows: int | None = None,
) -> HTMLResponse:
    providers = await _providers(console)
    page = await console.api.get("/v1/tenant-models", limit=50, after=after)
    model_form = model_form or {
        "idempotency_key": str(uuid.uuid4()),
        "enabled": "on",
        "routing_strategy": "priority",
    }
    context = _context(
        providers,
        models=page["data"],
        next_cursor=page.get("next_cursor") if page.get("has_more") else None,
        provider_form=provider_form
        or {"idempotency_key": str(uuid.uuid4()), "type": "openai", "enabled": "on"},
        provider_error=provider_error,
        model_form=model_form,
        model_error=model_error,
        rows=rows or max(_row_count(model_form), 1),
    )
    error = provider_error or model_error
    return render(request, "models/list.html", context, status_code=error.status if error else 200)


@router.get("/models", response_class=HTMLResponse)
async def models(request: Request, console: ConsoleDep, after: str | None = None) -> HTMLResponse:
    return await _list_page(request, console, after=after)


# -- provider connections ---------------------------------------------------------------------


def _provider_body(form: Form, *, create: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": form.get("name"),
        "type": form.get("type"),
        "base_url": form.get("base_url"),
        "enabled": checked(form, "enabled"),
        "config": present((k, text(form, f"config-{k}")) for k in CONFIG_FIELDS),
        "limits": present((k, text(form, f"limits-{k}")) for k in PROVIDER_LIMITS),
    }
    api_key = form.get("api_key")
    if api_key:
        body["api_key"] = api_key
    elif not create and checked(form, "remove_api_key"):
        body["api_key"] = None
    return body


def _provider_values(provider: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": provider["name"],
        "type": provider["type"],
        "base_url": provider["base_url"],
        "enabled": "on" if provider["enabled"] else "",
    }
    values.update({f"config-{k}": v for k, v in provider["config"].items() if v is not None})
    values.update({f"limits-{k}": v for k, v in provider["limits"].items() if v is not None})
    return values


async def _provider_page(
    request: Request,
    console: Console,
    provider_id: uuid.UUID,
    *,
    form: dict[str, Any] | None = None,
    error: FormError | None = None,
) -> HTMLResponse:
    provider = await console.api.get(f"/v1/providers/{provider_id}")
    context = _context(
        None, provider=provider, form=form or _provider_values(provider), error=error
    )
    return render(request, "models/provider.html", context)


@router.post("/models/providers", response_class=HTMLResponse)
async def create_provider(request: Request, form: FormDep) -> Response:
    try:
        provider = await form.console.api.post(
            "/v1/providers",
            _provider_body(form, create=True),
            idempotency_key=form.get("idempotency_key") or None,
        )
    except APIStatusError as exc:
        return await _list_page(
            request, form.console, provider_form=form.values(), provider_error=form_error(exc)
        )
    return redirect("/console/models", flash=f"Provider “{provider['name']}” added.")


@router.get("/models/providers/{provider_id}", response_class=HTMLResponse)
async def provider(request: Request, console: ConsoleDep, provider_id: uuid.UUID) -> HTMLResponse:
    return await _provider_page(request, console, provider_id)


@router.post("/models/providers/{provider_id}", response_class=HTMLResponse)
async def update_provider(request: Request, form: FormDep, provider_id: uuid.UUID) -> Response:
    try:
        provider = await form.console.api.patch(
            f"/v1/providers/{provider_id}", _provider_body(form, create=False)
        )
    except APIStatusError as exc:
        return await _provider_page(
            request, form.console, provider_id, form=form.values(), error=form_error(exc)
        )
    return redirect(
        f"/console/models/providers/{provider_id}", flash=f"Provider “{provider['name']}” saved."
    )


# -- models -----------------------------------------------------------------------------------


def _targets(form: Form) -> tuple[list[dict[str, Any]], list[int]]:
    """The target rows that were filled in, and the form row each one came from."""
    targets, rows = [], []
    for i in range(_row_count(form.values())):
        provider_id, upstream = (
            form.get(f"targets-{i}-provider_id"),
            form.get(f"targets-{i}-upstream_model"),
        )
        if not provider_id and not upstream:
            continue  # a blank row adds nothing; clearing a row removes that target
        target: dict[str, Any] = {"provider_id": provider_id, "upstream_model": upstream}
        target.update(present((k, text(form, f"targets-{i}-{k}")) for k in ("priority", "weight")))
        targets.append(target)
        rows.append(i)
    return targets, rows


def _model_body(form: Form, *, create: bool) -> tuple[dict[str, Any], list[int]]:
    targets, rows = _targets(form)
    body: dict[str, Any] = {
        "alias": form.get("alias"),
        "display_name": text(form, "display_name"),
        "capabilities": split_words(form.get("capabilities")),
        "context_window": text(form, "context_window"),
        "input_price_per_mtok": text(form, "input_price_per_mtok"),
        "output_price_per_mtok": text(form, "output_price_per_mtok"),
        "logo_url": text(form, "logo_url"),
        "routing_strategy": form.get("routing_strategy") or "priority",
        "reasoning": {"enabled": checked(form, "reasoning")},
        "enabled": checked(form, "enabled"),
        "targets": targets,
    }
    if create:  # a new model takes the registry's defaults for what is left blank
        body = {k: v for k, v in body.items() if v is not None and v != []}
        body.setdefault("targets", [])
    return body, rows


def _model_error(exc: APIStatusError, rows: list[int]) -> FormError:
    """The API numbers the targets it was sent; the form numbers its rows (blanks included)."""
    error = form_error(exc)
    renamed = {}
    for key, message in error.fields.items():
        parts = key.split("-")
        if len(parts) > 1 and parts[0] == "targets" and parts[1].isdigit():
            index = int(parts[1])
            parts[1] = str(rows[index]) if index < len(rows) else parts[1]
        renamed["-".join(parts)] = message
    error.fields = renamed
    return error


def _model_values(model: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "alias": model["alias"],
        "display_name": model["display_name"] if model["display_name"] != model["alias"] else "",
        "capabilities": ", ".join(model["capabilities"]),
        "routing_strategy": model["routing_strategy"],
        "enabled": "on" if model["enabled"] else "",
        "reasoning": "on" if model["reasoning"]["enabled"] else "",
    }
    for name in ("context_window", "input_price_per_mtok", "output_price_per_mtok", "logo_url"):
        values[name] = "" if model[name] is None else plain(model[name])
    for i, target in enumerate(model["targets"]):
        for name in ("provider_id", "upstream_model", "priority", "weight"):
            values[f"targets-{i}-{name}"] = target[name]
    return values


async def _model_page(
    request: Request,
    console: Console,
    model_id: uuid.UUID,
    *,
    form: dict[str, Any] | None = None,
    error: FormError | None = None,
    rows: int | None = None,
) -> HTMLResponse:
    model = await console.api.get(f"/v1/tenant-models/{model_id}")
    form = form or _model_values(model)
    context = _context(
        await _providers(console),
        model=model,
        form=form,
        error=error,
        rows=rows or min(_row_count(form) + 1, _MAX_ROWS),
    )
    return render(request, "models/model.html", context)


@router.post("/models", response_class=HTMLResponse)
async def create_model(request: Request, form: FormDep) -> Response:
    values = form.values()
    if form.get("more"):  # "Add another target": the same form with one more row
        rows = min(_row_count(values) + 1, _MAX_ROWS)
        return await _list_page(request, form.console, model_form=values, rows=rows)
    body, rows_sent = _model_body(form, create=True)
    try:
        model = await form.console.api.post(
            "/v1/tenant-models", body, idempotency_key=form.get("idempotency_key") or None
        )
    except APIStatusError as exc:
        error = _model_error(exc, rows_sent)
        return await _list_page(request, form.console, model_form=values, model_error=error)
    return redirect(
        f"/console/models/{model['tenant_model_id']}", flash=f"Model “{model['alias']}” added."
    )


@router.get("/models/{model_id}", response_class=HTMLResponse)
async def model(request: Request, console: ConsoleDep, model_id: uuid.UUID) -> HTMLResponse:
    return await _model_page(request, console, model_id)


@router.post("/models/{model_id}", response_class=HTMLResponse)
async def update_model(request: Request, form: FormDep, model_id: uuid.UUID) -> Response:
    values = form.values()
    if form.get("more"):
        rows = min(_row_count(values) + 1, _MAX_ROWS)
        return await _model_page(request, form.console, model_id, form=values, rows=rows)
    body, rows_sent = _model_body(form, create=False)
    try:
        model = await form.console.api.patch(f"/v1/tenant-models/{model_id}", body)
    except APIStatusError as exc:
        error = _model_error(exc, rows_sent)
        rows = max(_row_count(values), 1)
        return await _model_page(
            request, form.console, model_id, form=values, error=error, rows=rows
        )
    return redirect(f"/console/models/{model_id}", flash=f"Model “{model['alias']}” saved.")
