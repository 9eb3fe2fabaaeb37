"""A space's factory in the console: the trainings tab, a training's metric curves (inline SVG
polylines of its real metrics), its checkpoints and their ROC curves, and the leaderboard as a
table and a bar chart; another space's training is a 404."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest

from spacegate.console.charts import HEIGHT, PAD, WIDTH
from tests.console.conftest import Browser
from tests.factories import OrgCtx, make_space
from tests.factory.conftest import Bucket
from tests.factory.flow import benchmark_body, credit_setup, post, training_body, wait_for

pytestmark = pytest.mark.usefixtures("private_networks")

_TAG = re.compile(r"<(polyline|rect|line)\b([^>]*)/?>")
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def _shapes(page: str, svg_id: str, tag: str) -> list[dict[str, str]]:
    """The attributes of each ``tag`` inside the SVG ``svg_id`` of the page."""
    start = page.index(f'<svg id="{svg_id}"')
    body = page[start : page.index("</svg>", start)]
    return [
        {k: html.unescape(v) for k, v in _ATTR.findall(attrs)}
        for name, attrs in _TAG.findall(body)
        if name == tag
    ]


def _xy(points: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in (p.split(",") for p in points.split())]


def _back(xy: list[tuple[float, float]], w: float, h: float, x: tuple[float, float], y: Any) -> Any:
    """The data values the pixels stand for (the inverse of the chart's scale)."""
    (x_lo, x_hi), (y_lo, y_hi) = x, y
    return [
        (
            x_lo + (px - PAD) / (w - 2 * PAD) * (x_hi - x_lo),
            y_lo + (h - PAD - py) / (h - 2 * PAD) * (y_hi - y_lo),
        )
        for px, py in xy
    ]


async def _made(
    client: httpx.AsyncClient, h: dict[str, str], bucket: Bucket
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A finished training of two architectures' worth of checkpoints, each evaluated."""
    setup = await credit_setup(client, h, bucket)
    benchmark = await post(
        client,
        h,
        "/v1/benchmarks",
        benchmark_body(setup, ["roc_auc", "log_loss"]),
    )
    made = await post(
        client,
        h,
        "/v1/trainings",
        training_body(
            setup,
            "gradient_boosting",
            configuration={"n_estimators": 30, "checkpoints": 3},
            benchmark_ids=[benchmark["id"]],
        ),
    )
    training = await wait_for(client, h, f"/v1/trainings/{made['id']}")
    assert training["status"] == "succeeded", training
    listed = await client.get("/v1/evaluations", params={"limit": 100}, headers=h)
    for e in listed.json()["data"]:
        assert (await wait_for(client, h, f"/v1/evaluations/{e['id']}"))["status"] == "succeeded"
    return training, benchmark


async def test_trainings_curves_roc_and_leaderboard(
    browser: Browser,
    client: httpx.AsyncClient,
    org: OrgCtx,
    space: dict[str, str],
    bucket: Bucket,
) -> None:
    training, benchmark = await _made(client, space, bucket)
    sid = space["X-Space-Id"]
    base = f"/console/spaces/{sid}"

    page = await browser.get(f"{base}/trainings")
    assert page.status_code == 200, page.text
    assert f'href="{base}/trainings/{training["id"]}"' in page.text
    assert "succeeded" in page.text and "gradient_boosting" in page.text
    assert 'aria-current="page">Trainings<' in page.text

    # Each metric is a polyline whose points are the training's values, on the chart's scale.
    page = await browser.get(f"{base}/trainings/{training['id']}")
    assert page.status_code == 200, page.text
    metrics = training["metrics"]
    steps = [m["step"] for m in metrics]
    drawn = 0
    for name in ("train_log_loss", "validation_log_loss", "validation_roc_auc"):
        values = [m[name] for m in metrics]
        (line,) = _shapes(page.text, f"curve-{name}", "polyline")
        assert line["data-metric"] == name
        xy = _xy(line["points"])
        back = _back(xy, WIDTH, HEIGHT, (min(steps), max(steps)), (min(values), max(values)))
        assert [b[0] for b in back] == pytest.approx(steps, abs=0.05)
        assert [b[1] for b in back] == pytest.approx(values, abs=(max(values) - min(values)) / 50)
        # The best and the worst of the curve touch the frame's top and bottom.
        assert min(y for _, y in xy) == pytest.approx(PAD) and max(y for _, y in xy) == (
            pytest.approx(HEIGHT - PAD)
        )
        drawn += 1
    assert drawn == 3
    losses = _xy(_shapes(page.text, "curve-train_log_loss", "polyline")[0]["points"])
    assert [y for _, y in losses] == sorted(y for _, y in losses)  # boosting: the loss falls
    evaluations = (await client.get("/v1/evaluations", headers=space)).json()["data"]
    assert len(evaluations) == 3
    for e in evaluations:
        assert f'href="{base}/evaluations/{e["id"]}/roc"' in page.text
    for checkpoint in training["checkpoints"]:
        assert checkpoint["name"] in page.text

    # The ROC curve: the API's points, the diagonal and the AUC.
    e = evaluations[-1]
    roc = (await client.get(f"/v1/evaluations/{e['id']}/roc", headers=space)).json()
    page = await browser.get(f"{base}/evaluations/{e['id']}/roc")
    assert page.status_code == 200, page.text
    (curve,) = _shapes(page.text, "roc-chart", "polyline")
    back = _back(_xy(curve["points"]), 320.0, 320.0, (0.0, 1.0), (0.0, 1.0))
    assert [b[0] for b in back] == pytest.approx([p["fpr"] for p in roc["points"]], abs=0.001)
    assert [b[1] for b in back] == pytest.approx([p["tpr"] for p in roc["points"]], abs=0.001)
    (diagonal,) = _shapes(page.text, "roc-chart", "line")
    assert (float(diagonal["x1"]), float(diagonal["y1"])) == (PAD, 320.0 - PAD)
    assert (float(diagonal["x2"]), float(diagonal["y2"])) == (320.0 - PAD, PAD)
    assert f"AUC {roc['auc']:.4f}" in page.text
    assert f"{e['result']['roc_auc']:.4f}" in page.text

    # The leaderboard: the API's order, in the table and as bars as long as the scores.
    order = {
        "order_by_metric.metric_name": "roc_auc",
        "order_by_metric.benchmark_id": benchmark["id"],
    }
    api = (await client.get("/v1/leaderboards", params=order, headers=space)).json()["data"]
    page = await browser.get(f"{base}/leaderboard", params=order)
    assert page.status_code == 200, page.text
    names = re.findall(r'<td data-label="Checkpoint"><code>([^<]+)</code>', page.text)
    assert names == [entry["name"] for entry in api]
    bars = _shapes(page.text, "leaderboard-chart", "rect")
    assert [float(b["data-value"]) for b in bars] == pytest.approx([x["score"] for x in api])
    widths = [float(b["width"]) for b in bars]
    assert widths == sorted(widths, reverse=True)  # roc_auc: best first, the longest bar
    assert widths[0] / widths[-1] == pytest.approx(api[0]["score"] / api[-1]["score"], rel=0.01)
    assert f'<option value="{benchmark["id"]}" selected>' in page.text

    page = await browser.get(
        f"{base}/leaderboard", params={"order_by_metric.metric_name": "log_loss"}
    )
    assert page.status_code == 200
    scores = [float(b["data-value"]) for b in _shapes(page.text, "leaderboard-chart", "rect")]
    assert scores == sorted(scores)  # lower is better: first
    r = await browser.get(f"{base}/leaderboard", params={"order_by_metric.metric_name": "speed"})
    assert r.status_code == 422

    # Another space of the same org does not hold this training, nor its evaluations.
    other = await make_space(client, org, "elsewhere")
    elsewhere = f"/console/spaces/{other['id']}"
    r = await browser.get(f"{elsewhere}/trainings/{training['id']}")
    assert r.status_code == 404 and "not found" in r.text
    r = await browser.get(f"{elsewhere}/evaluations/{e['id']}/roc")
    assert r.status_code == 404
    r = await browser.get(f"{elsewhere}/trainings")
    assert r.status_code == 200 and "No trainings yet." in r.text
