"""Every benchmark metric against scikit-learn / scipy on generated scores."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import stats
from sklearn import metrics as m

from spacegate.factory.metrics import ROC_POINTS, compute, ks_statistic, roc_curve
from spacegate.factory.tasks import METRICS


@pytest.mark.parametrize("seed", [0, 1, 2])
async def test_each_metric_matches_the_reference_libraries(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 500)
    score = np.clip(0.35 * y + rng.normal(0.4, 0.2, 500), 0.001, 0.999)
    got = compute(METRICS, y, score)
    pred = (score >= 0.5).astype(int)
    auc = m.roc_auc_score(y, score)
    assert got == pytest.approx(
        {
            "accuracy": m.accuracy_score(y, pred),
            "f1": m.f1_score(y, pred),
            "precision": m.precision_score(y, pred),
            "recall": m.recall_score(y, pred),
            "roc_auc": auc,
            "log_loss": m.log_loss(y, score),
            "ks": stats.ks_2samp(score[y == 1], score[y == 0]).statistic,
            "gini": 2 * auc - 1,
        },
        abs=1e-12,
    )


async def test_ks_with_tied_scores_and_a_perfect_split() -> None:
    y = np.array([0, 0, 1, 1, 1])
    assert ks_statistic(y, np.array([0.1, 0.2, 0.8, 0.9, 0.95])) == 1.0
    tied = np.array([0.5, 0.5, 0.5, 0.5, 0.9])
    assert ks_statistic(y, tied) == pytest.approx(
        stats.ks_2samp(tied[y == 1], tied[y == 0]).statistic
    )


async def test_one_class_leaves_ranking_metrics_undefined() -> None:
    got = compute(["roc_auc", "gini", "ks", "accuracy"], np.ones(4), np.full(4, 0.7))
    assert got == {"roc_auc": None, "gini": None, "ks": None, "accuracy": 1.0}


def _triples(fpr: Any, tpr: Any, thresholds: Any) -> list[tuple[float, float, float | None]]:
    return [
        (float(f), float(t), float(th) if np.isfinite(th) else None)
        for f, t, th in zip(fpr, tpr, thresholds, strict=True)
    ]


@pytest.mark.parametrize("n", [300, 20_000])
async def test_the_roc_curve_is_scikit_learns_thinned_to_200_points(n: int) -> None:
    rng = np.random.default_rng(n)
    y = rng.integers(0, 2, n)
    score = np.clip(0.3 * y + rng.normal(0.4, 0.2, n), 0.0, 1.0)
    got = roc_curve(y, score)
    assert got is not None
    fpr, tpr, thresholds = m.roc_curve(y, score)
    reference = _triples(fpr, tpr, thresholds)
    mine = list(zip(got["fpr"], got["tpr"], got["thresholds"], strict=True))
    assert got["auc"] == pytest.approx(m.roc_auc_score(y, score), abs=1e-12)
    if len(reference) <= ROC_POINTS:
        assert mine == reference
    else:
        assert len(mine) <= ROC_POINTS
        assert set(mine) <= set(reference)
        assert mine[0] == reference[0] and mine[-1] == reference[-1]
        assert mine == sorted(mine, key=lambda p: (p[0], p[1]))
    assert mine[0][:2] == (0.0, 0.0) and mine[0][2] is None
    assert mine[-1][:2] == (1.0, 1.0)
    # Drawn from its points, the curve keeps its area.
    assert np.trapezoid(got["tpr"], got["fpr"]) == pytest.approx(got["auc"], abs=2e-3)


async def test_one_class_has_no_roc_curve() -> None:
    assert roc_curve(np.ones(4), np.full(4, 0.7)) is None
