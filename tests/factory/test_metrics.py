"""Every benchmark metric against scikit-learn / scipy on generated scores."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn import metrics as m

from spacegate.factory.metrics import compute, ks_statistic
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
