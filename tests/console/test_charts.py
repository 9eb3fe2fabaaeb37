"""The console's SVG geometry: values land where their scale says, gaps are skipped."""

from __future__ import annotations

from typing import Any

import pytest

from spacegate.console.charts import HEIGHT, PAD, WIDTH, bar_chart, metric_curves, roc_chart


async def test_a_curve_spans_the_plot_and_skips_what_is_not_a_number() -> None:
    metrics: list[dict[str, Any]] = [
        {"step": 10, "loss": 0.9, "auc": 0.6, "note": "x"},
        {"step": 20, "loss": 0.5, "auc": None},
        {"step": 30, "loss": 0.7, "auc": float("nan")},
    ]
    (loss,) = metric_curves(metrics)  # auc has one number only, note none
    assert loss.name == "loss" and loss.values == [0.9, 0.5, 0.7]
    xy = [tuple(map(float, p.split(","))) for p in loss.points.split()]
    assert xy[0] == (PAD, PAD)  # first step, highest value: top left
    assert xy[1] == (WIDTH / 2, HEIGHT - PAD)  # middle step, lowest value: bottom
    assert xy[2][0] == WIDTH - PAD
    assert xy[2][1] == pytest.approx(HEIGHT - PAD - 0.5 * (HEIGHT - 2 * PAD), abs=0.01)


async def test_roc_and_bars() -> None:
    roc = roc_chart([{"fpr": 0.0, "tpr": 0.0}, {"fpr": 0.0, "tpr": 1.0}, {"fpr": 1.0, "tpr": 1.0}])
    assert roc.points == "36,284 36,36 284,36"
    assert roc.diagonal == ((36.0, 284.0), (284.0, 36.0))
    bars = bar_chart([("a", 0.8), ("b", 0.4), ("c", None)])
    assert [b.width for b in bars.bars[:2]] == [bars.span, bars.span / 2]
    assert bars.bars[2].value is None and bars.bars[2].width == 0.0
