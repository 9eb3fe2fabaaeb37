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


#: Points a stored ROC curve keeps at most (enough to draw it; the AUC is the exact one).
ROC_POINTS = 200


def roc_curve(y_true: Any, score: Any, points: int = ROC_POINTS) -> dict[str, Any] | None:
    """The ROC curve of these scores (clipped to [0, 1] as ``compute`` does), thinned to at most
    ``points`` points spread evenly along the curve, both ends kept; None with one class only.

    ``{"fpr": [...], "tpr": [...], "thresholds": [...], "auc": exact AUC}``. The first
    threshold is None: above every score, so nothing is called positive (scikit-learn's inf,
    which JSON cannot carry)."""
    import numpy as np
    from sklearn import metrics as m

    y = np.asarray(y_true).astype(int)
    if len(np.unique(y)) != 2:
        return None
    s = np.clip(np.asarray(score, dtype=float), 0.0, 1.0)
    fpr, tpr, thresholds = m.roc_curve(y, s)
    if len(fpr) > points:
        # Evenly along the curve's length (fpr + tpr only grow), so steep and flat parts both
        # keep their shape.
        walked = np.concatenate([[0.0], np.cumsum(np.diff(fpr) + np.diff(tpr))])
        marks = np.linspace(0.0, walked[-1], points)
        idx = np.unique(np.searchsorted(walked, marks).clip(0, len(fpr) - 1))
        idx = np.union1d(idx, [0, len(fpr) - 1])
        while len(idx) > points:  # the ends added back: drop interior points evenly
            idx = np.delete(idx, np.linspace(1, len(idx) - 2, len(idx) - points).astype(int))
        fpr, tpr, thresholds = fpr[idx], tpr[idx], thresholds[idx]
    return {
        "fpr": [float(x) for x in fpr],
        "tpr": [float(x) for x in tpr],
        "thresholds": [float(t) if np.isfinite(t) else None for t in thresholds],
        "auc": float(m.roc_auc_score(y, s)),
    }
