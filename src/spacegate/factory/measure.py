"""A checkpoint measured on a benchmark's rows: free of the database and the event loop, so it
runs in a worker thread here or on a cluster node."""

from __future__ import annotations

from typing import Any

from spacegate.errors import Unprocessable
from spacegate.factory import metrics, trainer


def measure(blob: bytes, frame: Any, target: str, names: list[str]) -> dict[str, Any]:
    """``{"metrics": {metric: value}, "roc": the ROC curve (``metrics.roc_curve``) or None}``."""
    state = trainer.load(blob)
    frame = frame[frame[target].notna()]
    features = trainer.features_of(frame, target, state["features"])
    y, _ = trainer.encode_target(frame[target], state["classes"])
    if (y < 0).any():
        raise Unprocessable(
            f"The benchmark's '{target}' has values the checkpoint was not trained on "
            f"(it knows {state['classes']}).",
            code="unknown_target_values",
        )
    scores = trainer.score(state["pipeline"], frame[features])
    return {"metrics": metrics.compute(names, y, scores), "roc": metrics.roc_curve(y, scores)}
