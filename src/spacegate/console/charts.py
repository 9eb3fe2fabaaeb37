"""Charts drawn on the server as inline SVG: the geometry (points in a ``viewBox``), no script.

A chart is a plot area inside a ``viewBox`` of ``WIDTH`` x ``HEIGHT`` with ``PAD`` around it
(room for the axis labels); the templates draw the frame, the labels and the ``points``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

WIDTH, HEIGHT, PAD = 320.0, 180.0, 36.0


def _fmt(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        return None
    return float(v)


@dataclass
class Plot:
    """Where values land: ``x`` from ``x_lo..x_hi`` and ``y`` from ``y_lo..y_hi``."""

    x_lo: float
    x_hi: float
    y_lo: float
    y_hi: float
    width: float = WIDTH
    height: float = HEIGHT
    pad: float = PAD

    def x(self, value: float) -> float:
        span = self.x_hi - self.x_lo
        share = (value - self.x_lo) / span if span else 0.5
        return self.pad + share * (self.width - 2 * self.pad)

    def y(self, value: float) -> float:
        span = self.y_hi - self.y_lo
        share = (value - self.y_lo) / span if span else 0.5
        return self.height - self.pad - share * (self.height - 2 * self.pad)

    def points(self, xs: Sequence[float], ys: Sequence[float]) -> str:
        """An SVG ``points`` attribute: ``"x1,y1 x2,y2 ..."``."""
        return " ".join(f"{_fmt(self.x(a))},{_fmt(self.y(b))}" for a, b in zip(xs, ys, strict=True))


@dataclass
class Curve:
    """One metric over a training's steps, with its plot."""

    name: str
    steps: list[float]
    values: list[float]
    plot: Plot
    points: str = field(init=False)

    def __post_init__(self) -> None:
        self.points = self.plot.points(self.steps, self.values)

    @property
    def last(self) -> float:
        return self.values[-1]


def metric_curves(metrics: list[dict[str, Any]]) -> list[Curve]:
    """A curve per metric of a training's ``metrics`` (``[{step, name: value, ...}]``), each on
    its own scale; a metric needs a number at two steps or more to be drawn."""
    names: dict[str, None] = {}
    for row in metrics:
        names.update((k, None) for k in row if k != "step")
    curves = []
    for name in names:
        pairs = [
            (s, v)
            for row in metrics
            if (s := _number(row.get("step"))) is not None
            and (v := _number(row.get(name))) is not None
        ]
        if len(pairs) < 2:
            continue
        steps, values = [p[0] for p in pairs], [p[1] for p in pairs]
        lo, hi = min(values), max(values)
        plot = Plot(min(steps), max(steps), lo, hi)
        curves.append(Curve(name, steps, values, plot))
    return curves


@dataclass
class Roc:
    """A ROC curve in a square plot from (0, 0) to (1, 1)."""

    points: str
    diagonal: tuple[tuple[float, float], tuple[float, float]]
    plot: Plot


def roc_chart(points: list[dict[str, Any]], size: float = 320.0) -> Roc:
    plot = Plot(0.0, 1.0, 0.0, 1.0, width=size, height=size)
    fpr = [float(p["fpr"]) for p in points]
    tpr = [float(p["tpr"]) for p in points]
    corners = ((plot.x(0.0), plot.y(0.0)), (plot.x(1.0), plot.y(1.0)))
    return Roc(plot.points(fpr, tpr), corners, plot)


@dataclass
class Bar:
    label: str
    value: float | None
    #: Top of the row: the label's line, then the bar under it.
    y: float
    width: float


@dataclass
class Bars:
    """Horizontal bars, one row each (its label above it), from zero (or the smallest value,
    when one is negative) to the value; a row without a value has no bar."""

    bars: list[Bar]
    width: float
    height: float
    span: float
    row: float


#: Narrow enough that the labels stay legible on a phone (the page caps its width on a laptop).
BAR_WIDTH, BAR_ROW = 440.0, 42.0


def bar_chart(rows: list[tuple[str, float | None]]) -> Bars:
    span = BAR_WIDTH - 64.0  # room for the value after the longest bar
    values = [0.0, *(v for _, v in rows if v is not None)]
    lo, hi = min(values), max(values)
    scale = hi - lo or 1.0
    bars = []
    for i, (label, value) in enumerate(rows):
        width = 0.0 if value is None else max(1.0, (value - lo) / scale * span)
        bars.append(Bar(label, value, 4.0 + i * BAR_ROW, width))
    return Bars(bars, BAR_WIDTH, 8.0 + len(rows) * BAR_ROW, span, BAR_ROW)
