"""The inference log: every gateway call, newest first, with the API's filters and paging."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from spacegate.client.errors import APIStatusError
from spacegate.console.api import FormError
from spacegate.console.deps import Console, ConsoleDep
from spacegate.console.pages.model_forms import every
from spacegate.console.pages.usage import money, names
from spacegate.console.render import render

router = APIRouter()

PAGE_SIZE = 25
#: Pages of 100 API keys read for the key filter's options.
KEY_PAGES = 5
#: The filters ``GET /v1/inference-logs`` takes, as the form names them.
FILTERS = (
    "space_id",
    "model",
    "status",
    "refused",
    "error_code",
    "type",
    "tag",
    "user",
    "correlation_id",
    "api_key_id",
    "start_date",
    "end_date",
)
#: Fields of a log entry in the order the details list shows them.
DETAIL_FIELDS = (
    "id",
    "created_at",
    "status",
    "http_status",
    "error",
    "error_code",
    "refused",
    "refused_by",
    "model",
    "model_id",
    "upstream_model",
    "endpoint",
    "type",
    "purpose",
    "step_type",
    "stream",
    "space_id",
    "user_id",
    "api_key_id",
    "tags",
    "correlation_id",
    "request_id",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "usage_estimated",
    "cost",
    "latency_ms",
    "overhead_ms",
)


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) <= 1_000_000 else 1


def _link(filters: dict[str, str], page: int) -> str:
    query = {k: v for k, v in filters.items() if v}
    if page > 1:
        query["page"] = str(page)
    return "/console/logs" + (f"?{urlencode(query)}" if query else "")


async def _keys(console: Console) -> list[dict[str, Any]]:
    """The keys the caller may list (its own, or the org's with ``api-keys:manage``), by name."""
    try:
        keys = await every(console.api, "/v1/api-keys", pages=KEY_PAGES)
    except APIStatusError:  # not allowed to list keys: the log shows their ids
        return []
    return sorted(keys, key=lambda k: (str(k["name"]).lower(), str(k["id"])))


#: How the details list names a field (the API's name where it reads well as it is).
LABELS = {
    "id": "Log id",
    "created_at": "Time (UTC)",
    "http_status": "HTTP status",
    "model": "Model (alias)",
    "model_id": "Model id",
    "upstream_model": "Upstream model",
    "step_type": "Step type",
    "space_id": "Space",
    "user_id": "User",
    "api_key_id": "API key",
    "correlation_id": "Correlation id",
    "request_id": "Request id",
    "prompt_tokens": "Input tokens",
    "completion_tokens": "Output tokens",
    "total_tokens": "Total tokens",
    "usage_estimated": "Usage estimated",
    "latency_ms": "Latency",
    "overhead_ms": "Spacegate overhead",
}


def detail_text(name: str, value: Any) -> str:
    """A log field as a person reads it: yes/no, milliseconds rounded, counts grouped."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name.endswith("_ms"):
        return f"{float(value):,.1f} ms"
    if isinstance(value, int) and name.endswith("_tokens"):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if name == "created_at":
        return str(value).replace("T", " ").removesuffix("Z")
    return str(value)


def _shown(log: dict[str, Any], currency: str) -> dict[str, Any]:
    when = str(log["created_at"])[:19]
    details = [
        (name, LABELS.get(name, name.replace("_", " ").capitalize()), detail_text(name, log[name]))
        for name in DETAIL_FIELDS
    ]
    return {**log, "cost_text": money(log["cost"], currency), "when": when, "details": details}


@router.get("/logs", response_class=HTMLResponse)
async def logs(request: Request, console: ConsoleDep) -> HTMLResponse:
    params = request.query_params
    filters = {name: (params.get(name) or "").strip() for name in FILTERS}
    page = _page_number(params.get("page"))
    error: FormError | None = None
    rows: list[dict[str, Any]] = []
    has_more = False
    try:
        result = await console.api.get(
            "/v1/inference-logs", page=page, page_size=PAGE_SIZE, **filters
        )
        currency = str(result.get("currency", ""))
        rows = [_shown(r, currency) for r in result["data"]]
        has_more = bool(result["has_more"])
    except APIStatusError as exc:
        if exc.status_code not in (400, 422):
            raise  # not allowed, or gone: the console's error page says so
        error = FormError(exc)
        if isinstance(exc.detail, list):  # a query parameter: name the filter it came from
            error.fields = {
                str(item["loc"][-1]): str(item.get("msg", ""))
                for item in exc.detail
                if isinstance(item, dict) and item.get("loc")
            }
    keys = await _keys(console)
    context = {
        "logs": rows,
        "filters": filters,
        "error": error,
        "page": page,
        "prev_url": _link(filters, page - 1) if page > 1 else None,
        "next_url": _link(filters, page + 1) if has_more else None,
        "spaces": await names(console, "/v1/spaces", "name"),
        "key_options": keys,
        "keys": {str(k["id"]): str(k["name"]) for k in keys},
        "detail_fields": DETAIL_FIELDS,
        "filtered": any(filters.values()),
    }
    return render(request, "logs/index.html", context)
