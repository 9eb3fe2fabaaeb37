"""The entry point of a training or an evaluation on a Ray cluster (``python task.py``).

It travels in the job's working directory beside a copy of the factory's computation modules
and ``inputs.pkl``, and needs on the cluster only what they import (numpy, pandas,
scikit-learn, pydantic). Each checkpoint is printed on its own ``SPACEGATE_STAGE`` line and
the outcome on the last ``SPACEGATE_RESULT`` line, which Spacegate reads back from the job's
logs: nothing needs to be shared between the cluster and Spacegate but the dashboard.
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

    result: dict[str, Any] = measure.measure(
        inputs["artifact"], inputs["frame"], inputs["target"], inputs["metrics"]
    )
    return {"metrics": result}


def main() -> None:
    with open("inputs.pkl", "rb") as f:
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
