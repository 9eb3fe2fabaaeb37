"""A space's model factory (seed 004): its trainings with their metric curves, each
checkpoint's metrics and evaluations, an evaluation's ROC curve, and the leaderboard as a table
and a bar chart. Every chart is inline SVG drawn here (``console.charts``)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from spacegate.console import charts
from spacegate.console.api import in_space
from spacegate.console.deps import Console, ConsoleDep
from spacegate.console.render import render
from spacegate.factory.tasks import LOWER_IS_BETTER, METRICS

router = APIRouter()
PAGE_SIZE = 50


async def _get(console: Console, space_id: uuid.UUID, path: str, **params: Any) -> Any:
    return await console.api.request("GET", path, params=params, headers=in_space(space_id))


async def _benchmarks(console: Console, space_id: uuid.UUID) -> dict[str, str]:
    """The space's benchmarks: id -> name (the first 100)."""
    page = await _get(console, space_id, "/v1/benchmarks", page_size=100)
    return {b["id"]: b["name"] for b in page["data"]}


@router.get("/spaces/{space_id}/trainings", response_class=HTMLResponse)
async def trainings_page(
    request: Request,
    space_id: uuid.UUID,
    console: ConsoleDep,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    space = await console.api.get(f"/v1/spaces/{space_id}")
    listed = await _get(console, space_id, "/v1/trainings", pageSize=PAGE_SIZE, page=page)
    context = {
        "space": space,
        "tab": "trainings",
        "trainings": listed["data"],
        "page": page,
        "has_more": listed["has_more"],
    }
    return render(request, "factory/trainings.html", context)


async def _all_evaluations(
    console: Console, space_id: uuid.UUID, training_id: uuid.UUID
) -> list[dict[str, Any]]:
    """Every evaluation of the training's checkpoints: one list call per 100 of them."""
    found: list[dict[str, Any]] = []
    after: dict[str, str] = {}
    while True:
        page = await _get(
            console, space_id, "/v1/evaluations", training_id=training_id, limit=100, **after
        )
        found.extend(page["data"])
        if not page["has_more"] or not page["data"]:
            return found
        after = {"after": page["data"][-1]["id"]}


@router.get("/spaces/{space_id}/trainings/{training_id}", response_class=HTMLResponse)
async def training_page(
    request: Request, space_id: uuid.UUID, training_id: uuid.UUID, console: ConsoleDep
) -> HTMLResponse:
    space = await console.api.get(f"/v1/spaces/{space_id}")
    training = await _get(console, space_id, f"/v1/trainings/{training_id}")
    listed = await _get(console, space_id, "/v1/checkpoints", training_id=training_id, limit=100)
    benchmarks = await _benchmarks(console, space_id)
    by_checkpoint: dict[str, list[dict[str, Any]]] = {}
    for evaluation in await _all_evaluations(console, space_id, training_id):
        by_checkpoint.setdefault(evaluation["checkpoint_id"], []).append(evaluation)
    checkpoints = [
        {**checkpoint, "evaluations": by_checkpoint.get(checkpoint["id"], [])}
        for checkpoint in listed["data"]
    ]
    context = {
        "space": space,
        "tab": "trainings",
        "training": training,
        "curves": charts.metric_curves(training["metrics"]),
        "checkpoints": checkpoints,
        "benchmarks": benchmarks,
    }
    return render(request, "factory/training.html", context)


@router.get("/spaces/{space_id}/evaluations/{evaluation_id}/roc", response_class=HTMLResponse)
async def roc_page(
    request: Request, space_id: uuid.UUID, evaluation_id: uuid.UUID, console: ConsoleDep
) -> HTMLResponse:
    space = await console.api.get(f"/v1/spaces/{space_id}")
    roc = await _get(console, space_id, f"/v1/evaluations/{evaluation_id}/roc")
    checkpoint = await _get(console, space_id, f"/v1/checkpoints/{roc['checkpoint_id']}")
    benchmarks = await _benchmarks(console, space_id)
    context = {
        "space": space,
        "tab": "trainings",
        "roc": roc,
        "chart": charts.roc_chart(roc["points"]),
        "checkpoint": checkpoint,
        "benchmark_name": benchmarks.get(roc["benchmark_id"], roc["benchmark_id"]),
    }
    return render(request, "factory/roc.html", context)


@router.get("/spaces/{space_id}/leaderboard", response_class=HTMLResponse)
async def leaderboard_page(
    request: Request,
    space_id: uuid.UUID,
    console: ConsoleDep,
    metric_name: Annotated[str, Query(alias="order_by_metric.metric_name")] = "roc_auc",
    benchmark_id: Annotated[str, Query(alias="order_by_metric.benchmark_id")] = "",
    direction: Annotated[str, Query(alias="order_by_metric.direction")] = "",
    after: str | None = None,
) -> HTMLResponse:
    """The query names are the API's (``order_by_metric.*``): the API checks them."""
    space = await console.api.get(f"/v1/spaces/{space_id}")
    benchmarks = await _benchmarks(console, space_id)
    board = await _get(
        console,
        space_id,
        "/v1/leaderboards",
        limit=PAGE_SIZE,
        after=after,
        **{
            "order_by_metric.metric_name": metric_name,
            "order_by_metric.benchmark_id": benchmark_id,
            "order_by_metric.direction": direction,
        },
    )
    entries = board["data"]
    context = {
        "space": space,
        "tab": "leaderboard",
        "entries": entries,
        "bars": charts.bar_chart([(e["name"], e["score"]) for e in entries]),
        "benchmarks": benchmarks,
        "metrics": METRICS,
        "metric_name": metric_name,
        "benchmark_id": benchmark_id,
        "direction": direction,
        "lower_is_better": metric_name in LOWER_IS_BETTER,
        "next_cursor": board.get("next_cursor") if board.get("has_more") else None,
    }
    return render(request, "factory/leaderboard.html", context)
