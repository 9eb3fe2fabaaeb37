"""A space's RAG endpoints (seed 003): create, publish, their policies, and a query playground
that shows the answer beside its references and what each policy decided."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from spacegate.client.errors import APIStatusError
from spacegate.console.api import FormError, in_space
from spacegate.console.deps import Console, ConsoleDep, FormDep
from spacegate.console.render import redirect, render

router = APIRouter()
EP = "/api/v1/endpoints"


async def _list_page(
    request: Request,
    console: Console,
    space_id: uuid.UUID,
    *,
    form: dict[str, Any] | None = None,
    error: FormError | None = None,
) -> HTMLResponse:
    space = await console.api.get(f"/v1/spaces/{space_id}")
    here = in_space(space_id)
    endpoints = await console.api.request("GET", f"{EP}/", params={"limit": 1000}, headers=here)
    models = await console.api.request(
        "GET", "/api/v1/models/", params={"limit": 1000}, headers=here
    )
    datasets = await console.api.request(
        "GET", "/api/v1/datasets/", params={"limit": 1000}, headers=here
    )
    context = {
        "space": space,
        "tab": "endpoints",
        "endpoints": endpoints["items"],
        "models": models["items"],
        "datasets": datasets["items"],
        "form": form or {"response_type": "summary"},
        "error": error,
    }
    return render(request, "endpoints/list.html", context)


@router.get("/spaces/{space_id}/endpoints", response_class=HTMLResponse)
async def endpoints_page(
    request: Request, space_id: uuid.UUID, console: ConsoleDep
) -> HTMLResponse:
    return await _list_page(request, console, space_id)


@router.post("/spaces/{space_id}/endpoints", response_class=HTMLResponse)
async def create_endpoint(request: Request, space_id: uuid.UUID, form: FormDep) -> Response:
    body: dict[str, Any] = {
        "name": form.get("name"),
        "slug": form.get("slug"),
        "summary": form.get("summary"),
        "response_type": form.get("response_type") or "summary",
        "model_id": form.get("model_id") or None,
        "dataset_id": form.get("dataset_id") or None,
    }
    try:
        made = await form.console.api.request(
            "POST", f"{EP}/", json=body, headers=in_space(space_id)
        )
    except APIStatusError as exc:
        return await _list_page(
            request, form.console, space_id, form=form.values(), error=FormError(exc)
        )
    return redirect(
        f"/console/spaces/{space_id}/endpoints/{made['slug']}", flash="Endpoint created."
    )


async def _detail(
    request: Request,
    console: Console,
    space_id: uuid.UUID,
    slug: str,
    *,
    form: dict[str, Any] | None = None,
    answer: dict[str, Any] | None = None,
    error: FormError | None = None,
) -> HTMLResponse:
    space = await console.api.get(f"/v1/spaces/{space_id}")
    endpoint = await console.api.request("GET", f"{EP}/{slug}", headers=in_space(space_id))
    types = await console.api.request("GET", "/api/v1/policy-types/")
    context = {
        "space": space,
        "tab": "endpoints",
        "endpoint": endpoint,
        "types": types,
        "form": form or {},
        "answer": answer,
        "error": error,
    }
    return render(request, "endpoints/detail.html", context)


@router.get("/spaces/{space_id}/endpoints/{slug}", response_class=HTMLResponse)
async def endpoint_page(
    request: Request, space_id: uuid.UUID, slug: str, console: ConsoleDep
) -> HTMLResponse:
    return await _detail(request, console, space_id, slug)


@router.post("/spaces/{space_id}/endpoints/{slug}/query", response_class=HTMLResponse)
async def query(request: Request, space_id: uuid.UUID, slug: str, form: FormDep) -> Response:
    body = {"messages": form.get("message"), "max_tokens": int(form.get("max_tokens") or 256)}
    try:
        answer = await form.console.api.request(
            "POST", f"{EP}/{slug}/query", json=body, headers=in_space(space_id)
        )
    except APIStatusError as exc:
        return await _detail(
            request, form.console, space_id, slug, form=form.values(), error=FormError(exc)
        )
    return await _detail(request, form.console, space_id, slug, form=form.values(), answer=answer)


@router.post("/spaces/{space_id}/endpoints/{slug}/publish", response_class=HTMLResponse)
async def publish(space_id: uuid.UUID, slug: str, form: FormDep) -> Response:
    on = form.get("published") == "on"
    await form.console.api.request(
        "PATCH", f"{EP}/{slug}", json={"published": on}, headers=in_space(space_id)
    )
    flash = "Published." if on else "Unpublished."
    return redirect(f"/console/spaces/{space_id}/endpoints/{slug}", flash=flash)


@router.post("/spaces/{space_id}/endpoints/{slug}/delete", response_class=HTMLResponse)
async def delete_endpoint(space_id: uuid.UUID, slug: str, form: FormDep) -> Response:
    await form.console.api.request("DELETE", f"{EP}/{slug}", headers=in_space(space_id))
    return redirect(f"/console/spaces/{space_id}/endpoints", flash="Endpoint deleted.")


@router.post("/spaces/{space_id}/endpoints/{slug}/policies", response_class=HTMLResponse)
async def add_policy(request: Request, space_id: uuid.UUID, slug: str, form: FormDep) -> Response:
    try:
        configuration = json.loads(form.get("configuration") or "{}")
    except ValueError:
        error = FormError.of_fields({"configuration": "Not valid JSON."})
        return await _detail(request, form.console, space_id, slug, form=form.values(), error=error)
    endpoint = await form.console.api.request("GET", f"{EP}/{slug}", headers=in_space(space_id))
    body = {
        "name": form.get("name"),
        "policy_type": form.get("policy_type"),
        "configuration": configuration,
        "endpoint_id": endpoint["id"],
    }
    try:
        await form.console.api.request(
            "POST", "/api/v1/policies/", json=body, headers=in_space(space_id)
        )
    except APIStatusError as exc:
        return await _detail(
            request, form.console, space_id, slug, form=form.values(), error=FormError(exc)
        )
    return redirect(f"/console/spaces/{space_id}/endpoints/{slug}", flash="Policy added.")


@router.post(
    "/spaces/{space_id}/endpoints/{slug}/policies/{policy_id}/delete",
    response_class=HTMLResponse,
)
async def delete_policy(
    space_id: uuid.UUID, slug: str, policy_id: uuid.UUID, form: FormDep
) -> Response:
    await form.console.api.request(
        "DELETE", f"/api/v1/policies/{policy_id}", headers=in_space(space_id)
    )
    return redirect(f"/console/spaces/{space_id}/endpoints/{slug}", flash="Policy removed.")
