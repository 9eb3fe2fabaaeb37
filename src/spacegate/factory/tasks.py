"""The tasks and metrics the factory knows (seed 004's ``model.Metric`` enum)."""

from __future__ import annotations

from typing import Literal

#: Binary classification (credit risk, fraud: the seed's domain) is the task trained today.
Task = Literal["binary_classification"]
TASKS: tuple[str, ...] = ("binary_classification",)

Metric = Literal["accuracy", "f1", "precision", "recall", "roc_auc", "log_loss", "ks", "gini"]
METRICS: tuple[str, ...] = (
    "accuracy",
    "f1",
    "precision",
    "recall",
    "roc_auc",
    "log_loss",
    "ks",
    "gini",
)
#: Metrics where a smaller value is better; every other one is better larger.
LOWER_IS_BETTER = frozenset({"log_loss"})
