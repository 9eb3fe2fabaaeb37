"""Seed 004's benchmark metrics for a binary classifier's scores, computed exactly.

``ks`` is the Kolmogorov-Smirnov statistic: the largest gap between the score distributions
(CDFs) of the two classes. ``gini`` is ``2 * roc_auc - 1``. Thresholded metrics use 0.5.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

THRESHOLD = 0.5


def ks_statistic(y_true: Any, score: Any) -> float:
    import numpy as np

    y = np.asarray(y_true).astype(bool)
    s = np.asarray(score, dtype=float)
    pos, neg = np.sort(s[y]), np.sort(s[~y])
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    grid = np.unique(s)
    cdf_pos = np.searchsorted(pos, grid, side="right") / len(pos)
    cdf_neg = np.searchsorted(neg, grid, side="right") / len(neg)
    return float(np.max(np.abs(cdf_pos - cdf_neg)))


def compute(names: Iterable[str], y_true: Any, score: Any) -> dict[str, float | None]:
    """``{metric: value}``; a metric undefined on this data (one class only) is None."""
    import numpy as np
    from sklearn import metrics as m

    y = np.asarray(y_true).astype(int)
    s = np.clip(np.asarray(score, dtype=float), 0.0, 1.0)
    pred = (s >= THRESHOLD).astype(int)
    two_classes = len(np.unique(y)) == 2
    out: dict[str, float | None] = {}
    for name in names:
        value: float | None
        if name == "accuracy":
            value = float(m.accuracy_score(y, pred))
        elif name == "f1":
            value = float(m.f1_score(y, pred, zero_division=0))
        elif name == "precision":
            value = float(m.precision_score(y, pred, zero_division=0))
        elif name == "recall":
            value = float(m.recall_score(y, pred, zero_division=0))
        elif name == "log_loss":
            value = float(m.log_loss(y, s, labels=[0, 1]))
        elif not two_classes:
            value = None
        elif name == "roc_auc":
            value = float(m.roc_auc_score(y, s))
        elif name == "gini":
            value = 2.0 * float(m.roc_auc_score(y, s)) - 1.0
        elif name == "ks":
            value = ks_statistic(y, s)
        else:
            raise ValueError(f"unknown metric {name}")
        out[name] = value
    return out


def roc_curve(y_true: Any, score: Any, points: int = 101) -> dict[str, list[float]]:
    """The ROC curve thinned to about ``points`` points, for the console."""
    import numpy as np
    from sklearn import metrics as m

    fpr, tpr, _ = m.roc_curve(np.asarray(y_true).astype(int), np.asarray(score, dtype=float))
    if len(fpr) > points:
        idx = np.unique(np.linspace(0, len(fpr) - 1, points).round().astype(int))
        fpr, tpr = fpr[idx], tpr[idx]
    return {"fpr": [float(x) for x in fpr], "tpr": [float(x) for x in tpr]}
