"""Usage: requests, tokens and cost from the usage ledger, per day, model, space and key.

The page reads ``GET /v1/usage`` (one call per breakdown); the charts and the tables beneath them
show the same numbers, the tables for anyone without the canvas.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from spacegate.client.errors import APIStatusError
from spacegate.console.deps import Console, ConsoleDep
from spacegate.console.render import render

router = APIRouter()

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
TOP_KEYS = 10
#: Pages of spaces and keys read to name them (100 each); the rest show a short id.
NAME_PAGES = 5


def _uuid(value: str | None) -> str | None:
    try:
        return str(uuid.UUID(value)) if value else None
    except ValueError:
        return None


def money(value: Decimal | str | float, currency: str = "") -> str:
    """A cost, to the millionth, without trailing zeros, and its currency (``0.00042 USD``,
    ``12.5 USD``, ``0 USD``)."""
    d = Decimal(str(value)).quantize(Decimal("0.000001"))
    text = format(d, "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"{text} {currency}" if currency else text


async def names(console: Console, path: str, label: str) -> dict[str, str]:
    """Id -> display name for what the caller can list (first pages only)."""
    names: dict[str, str] = {}
    after = None
    for _ in range(NAME_PAGES):
        try:
            page = await console.api.get(path, limit=100, after=after)
        except APIStatusError:  # not allowed to list them: ids it is
            break
        for item in page["data"]:
            names[str(item["id"])] = str(item[label])
        after = page.get("next_cursor")
        if not page.get("has_more") or not after:
            break
    return names


async def _zone(console: Console) -> str:
    try:
        org = await console.api.get(f"/v1/orgs/{console.me['org_id']}")
        ZoneInfo(org["timezone"])
        return str(org["timezone"])
    except (APIStatusError, KeyError, ZoneInfoNotFoundError, ValueError):
        return "UTC"


def _label(names: dict[str, str], ident: str | None, missing: str) -> str:
    if ident is None:
        return missing
    return names.get(ident) or f"{ident[:8]}…"


def _per_day(
    rows: list[dict[str, Any]], days: list[str], key: str, label: Any
) -> list[dict[str, Any]]:
    """One series per ``key`` value with requests and tokens for every day (zeros included),
    the biggest first."""
    index = {d: i for i, d in enumerate(days)}
    series: dict[str, dict[str, Any]] = {}
    for row in rows:
        name = label(row[key])
        s = series.setdefault(
            name, {"label": name, "requests": [0] * len(days), "tokens": [0] * len(days)}
        )
        i = index.get(row["day"])
        if i is not None:
            s["requests"][i] += row["requests"]
            s["tokens"][i] += row["total_tokens"]
    return sorted(series.values(), key=lambda s: (-sum(s["tokens"]), -sum(s["requests"])))


def _totals(
    rows: list[dict[str, Any]], label: Any, key: str, currency: str
) -> list[dict[str, Any]]:
    return [
        {
            "label": label(row[key]),
            "requests": row["requests"],
            "tokens": row["total_tokens"],
            "prompt_tokens": row["prompt_tokens"],
            "completion_tokens": row["completion_tokens"],
            "cost": float(Decimal(row["cost"])),
            "cost_text": money(row["cost"], currency),
        }
        for row in rows
    ]


@router.get("/usage", response_class=HTMLResponse)
async def usage(
    request: Request, console: ConsoleDep, days: str | None = None, space: str | None = None
) -> HTMLResponse:
    period = int(days) if days in {str(p) for p in PERIODS} else DEFAULT_PERIOD
    space_id = _uuid(space)
    tz = await _zone(console)
    today = datetime.now(UTC).astimezone(ZoneInfo(tz)).date()
    first = today - timedelta(days=period - 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=ZoneInfo(tz))
    query = {"start": start.isoformat(), "tz": tz, "space_id": space_id}

    async def report(group_by: str) -> dict[str, Any]:
        result: dict[str, Any] = await console.api.get("/v1/usage", group_by=group_by, **query)
        return result

    by_day_model = await report("day,model")
    by_day_space = await report("day,space")
    by_space = await report("space")
    by_key = await report("api_key")
    currency = str(by_space.get("currency", ""))

    spaces = await names(console, "/v1/spaces", "name")
    keys = await names(console, "/v1/api-keys", "name")
    day_list = [(first + timedelta(days=i)).isoformat() for i in range(period)]

    def model_label(row_model: str | None) -> str:
        return row_model or "(deleted model)"

    def space_label(ident: str | None) -> str:
        return _label(spaces, ident, "(no space)")

    def key_label(ident: str | None) -> str:
        return _label(keys, ident, "(no key)")

    charts = {
        "days": day_list,
        "by_model": _per_day(by_day_model["data"], day_list, "model", model_label),
        "by_space": _per_day(by_day_space["data"], day_list, "space_id", space_label),
        "cost_by_space": _totals(by_space["data"], space_label, "space_id", currency),
        "top_keys": _totals(by_key["data"][:TOP_KEYS], key_label, "api_key_id", currency),
    }
    totals = by_space["totals"]
    context = {
        "charts": charts,
        "totals": {**totals, "cost_text": money(totals["cost"], currency)},
        "period": period,
        "periods": PERIODS,
        "space_id": space_id,
        "space_options": sorted(spaces.items(), key=lambda kv: kv[1].lower()),
        "tz": tz,
        "first_day": date.fromisoformat(day_list[0]),
        "today": today,
    }
    return render(request, "usage/index.html", context)
