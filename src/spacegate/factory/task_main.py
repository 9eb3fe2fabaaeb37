"""The entry point of a training's or an evaluation's computation, in a process of its own:
``python -m spacegate.factory.task_main <inputs.pkl>`` on the local worker, ``python task.py``
in a Ray job's working directory (beside a copy of the factory's computation modules and
``inputs.pkl``; a cluster needs only what they import: numpy, pandas, scikit-learn, joblib,
pydantic).

Each checkpoint is printed on its own ``SPACEGATE_STAGE`` line as it is made, the outcome on the
last ``SPACEGATE_RESULT`` line; Spacegate reads them from the process's output or the Ray job's
logs, so nothing is shared with the computation but its inputs.
"""

from __future__ import annotations

import base64
import json
import pickle
import sys
from typing import Any

STAGE_MARK = "SPACEGATE_STAGE "
RESULT_MARK = "SPACEGATE_RESULT "


def _emit(mark: str, value: dict[str, Any]) -> None:
    sys.stdout.write(mark + json.dumps(value, default=str) + "\n")
    sys.stdout.flush()


def train(inputs: dict[str, Any]) -> dict[str, Any]:
    from spacegate.factory import architectures, trainer

    arch, config = inputs["architecture"], inputs["configuration"]
    data = trainer.prepare(inputs["frame"], inputs["target"], inputs["features"], config)
    pipe = trainer.pipeline(arch, config, data.x_train)
    previous, stages = 0, 0
    for step in architectures.stages(arch, config):
        measured = trainer.fit_stage(pipe, arch, data, previous, step)
        previous = step
        blob, digest = trainer.dump(pipe, data, arch)
        stages += 1
        _emit(
            STAGE_MARK,
            {
                "metrics": measured,
                "artifact": base64.b64encode(blob).decode(),
                "sha256": digest,
                "features": data.features,
                "classes": [str(c) for c in data.classes],
            },
        )
    return {"stages": stages}


def evaluate(inputs: dict[str, Any]) -> dict[str, Any]:
    from spacegate.factory import measure

    measured: dict[str, Any] = measure.measure(
        inputs["artifact"], inputs["frame"], inputs["target"], inputs["metrics"]
    )
    return {"metrics": measured["metrics"], "roc": measured["roc"]}


def parse(line: str) -> tuple[str, dict[str, Any]] | None:
    """``("stage", ...)`` or ``("result", ...)`` for a line this module printed, else None."""
    for kind, mark in (("stage", STAGE_MARK), ("result", RESULT_MARK)):
        if line.startswith(mark):
            value = json.loads(line[len(mark) :])
            return (kind, value) if isinstance(value, dict) else None
    return None


def main() -> None:
    with open(sys.argv[1] if len(sys.argv) > 1 else "inputs.pkl", "rb") as f:
        inputs = pickle.load(f)  # noqa: S301 (written by Spacegate for this job only)
    try:
        outcome = train(inputs) if inputs["kind"] == "training" else evaluate(inputs)
    except Exception as exc:  # the reason goes back to the training, not a bare traceback
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        _emit(RESULT_MARK, {"error": str(message)[:2000]})
        return
    _emit(RESULT_MARK, outcome)


if __name__ == "__main__":
    main()
