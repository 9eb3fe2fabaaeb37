"""A space's datasets (seed 003): create one, upload files into it, follow each document's
ingestion (stop, retry, index again), and try its search (ranked chunks with their scores).

Every action goes through the API in process, as the signed-in key: an upload is the same
multipart call (and so the same checks of size and type) as ``POST /api/v1/datasets/{name}/
documents``."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from spacegate.client.errors import APIStatusError
from spacegate.console.api import FormError, in_space
from spacegate.console.deps import Console, ConsoleDep, FormDep
from spacegate.console.render import redirect, render

router = APIRouter()
DS = "/api/v1/datasets"
INGESTION = "/api/v1/ingestion/datasets"
#: Ingestion actions a dataset's page offers (``POST /api/v1/ingestion/datasets/{id}/...``).
ACTIONS = {"stop": "Stopped.", "retry": "Queued again.", "start": "Indexing again."}
Action = Literal["stop", "retry", "start"]


def _base(space_id: uuid.UUID) -> str:
    return f"/console/spaces/{space_id}/datasets"


async def _embedders(console: Console, space_id: uuid.UUID) -> list[str]:
    """Aliases of the space's models that make embeddings (a dataset's ``embedding_model``)."""
    found = await console.api.get(f"/v1/spaces/{space_id}/models", limit=100)
    return [
        m["alias"]
        for m in found.get("data", [])
        if "embeddings" in (m.get("capabilities") or []) and m.get("alias")
    ]


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
    datasets = await console.api.request("GET", f"{DS}/", params={"limit": 1000}, headers=here)
    context = {
        "space": space,
        "tab": "datasets",
        "datasets": datasets["items"],
        "embedders": await _embedders(console, space_id),
        "form": form or {},
        "error": error,
    }
    return render(
        request, "datasets/list.html", context, status_code=error.status if error else 200
    )


@router.get("/spaces/{space_id}/datasets", response_class=HTMLResponse)
async def datasets_page(request: Request, space_id: uuid.UUID, console: ConsoleDep) -> HTMLResponse:
    return await _list_page(request, console, space_id)


def _int(value: str) -> int | str:
    return int(value) if value.isdigit() else value  # the API names a bad number's field


@router.post("/spaces/{space_id}/datasets", response_class=HTMLResponse)
async def create_dataset(request: Request, space_id: uuid.UUID, form: FormDep) -> Response:
    configuration: dict[str, Any] = {}
    if form.get("embedding_model"):
        configuration["embedding_model"] = form.get("embedding_model")
    for name in ("chunk_size", "chunk_overlap"):
        if form.get(name):
            configuration[name] = _int(form.get(name))
    body = {
        "name": form.get("name"),
        "dtype": "local_file",
        "summary": form.get("summary") or None,
        "configuration": configuration,
    }
    try:
        made = await form.console.api.request(
            "POST", f"{DS}/", json=body, headers=in_space(space_id)
        )
    except APIStatusError as exc:
        return await _list_page(
            request, form.console, space_id, form=form.values(), error=FormError(exc)
        )
    return redirect(f"{_base(space_id)}/{made['name']}", flash="Dataset created.")


async def _detail(
    request: Request,
    console: Console,
    space_id: uuid.UUID,
    name: str,
    *,
    form: dict[str, Any] | None = None,
    hits: list[dict[str, Any]] | None = None,
    error: FormError | None = None,
) -> HTMLResponse:
    space = await console.api.get(f"/v1/spaces/{space_id}")
    here = in_space(space_id)
    dataset = await console.api.request("GET", f"{DS}/{name}", headers=here)
    documents = await console.api.request(
        "GET", f"{DS}/{name}/documents", params={"limit": 1000}, headers=here
    )
    jobs = await console.api.request(
        "GET", f"{INGESTION}/{dataset['id']}/jobs", params={"limit": 1000}, headers=here
    )
    latest: dict[str, dict[str, Any]] = {}
    for job in jobs["items"]:  # a document's current job is the one it names
        latest[str(job["id"])] = job
    rows = [{**d, "job": latest.get(str(d.get("job_id")))} for d in documents["items"]]
    status = dataset["ingestion"]["status"]
    context = {
        "space": space,
        "tab": "datasets",
        "dataset": dataset,
        "documents": rows,
        "total": documents["total"],
        "indexing": status == "indexing",
        "form": form or {},
        "hits": hits,
        "error": error,
    }
    return render(
        request, "datasets/detail.html", context, status_code=error.status if error else 200
    )


@router.get("/spaces/{space_id}/datasets/{name}", response_class=HTMLResponse)
async def dataset_page(
    request: Request, space_id: uuid.UUID, name: str, console: ConsoleDep
) -> HTMLResponse:
    return await _detail(request, console, space_id, name)


@router.post("/spaces/{space_id}/datasets/{name}/documents", response_class=HTMLResponse)
async def upload(request: Request, space_id: uuid.UUID, name: str, form: FormDep) -> Response:
    file = form.data.get("file")
    try:
        if not isinstance(file, UploadFile) or not file.filename:
            error = FormError.of_fields({"file": "Choose a file to upload."})
            return await _detail(request, form.console, space_id, name, error=error)
        cap = request.app.state.runtime.settings.dataset_upload_max_bytes
        if (file.size or 0) > cap:  # refused here, before it is read into memory
            message = f"The file is larger than the {cap} bytes this server accepts."
            error = FormError.of_fields({"file": message})
            error.status = 413
            return await _detail(request, form.console, space_id, name, error=error)
        data = await file.read()
        filename, content_type = file.filename, file.content_type or "application/octet-stream"
    finally:
        await form.data.close()  # the upload's spooled file
    try:
        doc = await form.console.api.request(
            "POST",
            f"{DS}/{name}/documents",
            files=[("file", (filename, data, content_type))],
            headers=in_space(space_id),
        )
    except APIStatusError as exc:
        return await _detail(request, form.console, space_id, name, error=FormError(exc))
    return redirect(
        f"{_base(space_id)}/{name}", flash=f"Uploaded {doc['filename']}: ingestion queued."
    )


@router.post(
    "/spaces/{space_id}/datasets/{name}/documents/{document_id}/delete",
    response_class=HTMLResponse,
)
async def delete_document(
    space_id: uuid.UUID, name: str, document_id: uuid.UUID, form: FormDep
) -> Response:
    await form.console.api.request(
        "DELETE", f"{DS}/{name}/documents/{document_id}", headers=in_space(space_id)
    )
    return redirect(f"{_base(space_id)}/{name}", flash="Document removed.")


@router.post("/spaces/{space_id}/datasets/{name}/ingestion/{action}", response_class=HTMLResponse)
async def ingestion(space_id: uuid.UUID, name: str, action: Action, form: FormDep) -> Response:
    here = in_space(space_id)
    dataset = await form.console.api.request("GET", f"{DS}/{name}", headers=here)
    await form.console.api.request("POST", f"{INGESTION}/{dataset['id']}/{action}", headers=here)
    return redirect(f"{_base(space_id)}/{name}", flash=ACTIONS[action])


@router.post("/spaces/{space_id}/datasets/{name}/search", response_class=HTMLResponse)
async def search(request: Request, space_id: uuid.UUID, name: str, form: FormDep) -> Response:
    body: dict[str, Any] = {"query": form.get("query"), "limit": _int(form.get("limit") or "10")}
    try:
        found = await form.console.api.request(
            "POST", f"{DS}/{name}/search", json=body, headers=in_space(space_id)
        )
    except APIStatusError as exc:
        return await _detail(
            request, form.console, space_id, name, form=form.values(), error=FormError(exc)
        )
    return await _detail(
        request, form.console, space_id, name, form=form.values(), hits=found["documents"]
    )


@router.post("/spaces/{space_id}/datasets/{name}/delete", response_class=HTMLResponse)
async def delete_dataset(space_id: uuid.UUID, name: str, form: FormDep) -> Response:
    await form.console.api.request("DELETE", f"{DS}/{name}", headers=in_space(space_id))
    return redirect(_base(space_id), flash="Dataset deleted.")
