"""The training computation itself: plain functions over frames, run off the event loop.

Kept free of the database and the event loop so an executor can run them anywhere (a thread
here; a worker process or a cluster node elsewhere).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from typing import Any

from spacegate.errors import Unprocessable
from spacegate.factory import architectures, metrics


@dataclass
class Prepared:
    """Rows split for training and validation, as the pipeline reads them."""

    features: list[str]
    classes: list[Any]
    x_train: Any
    y_train: Any
    x_val: Any
    y_val: Any


@dataclass(frozen=True)
class Stage:
    """One stage's outcome: its metrics (``step`` among them) and the checkpoint it saved."""

    metrics: dict[str, Any]
    artifact: bytes
    sha256: str
    features: list[str]
    classes: list[str]

    @property
    def step(self) -> int:
        return int(self.metrics["step"])

    @classmethod
    def from_wire(cls, raw: dict[str, Any]) -> Stage:
        """A stage as ``task_main`` printed it."""
        import base64

        return cls(
            metrics=raw["metrics"],
            artifact=base64.b64decode(raw["artifact"]),
            sha256=raw["sha256"],
            features=list(raw["features"]),
            classes=list(raw["classes"]),
        )


def encode_target(values: Any, classes: list[Any] | None = None) -> tuple[Any, list[Any]]:
    """0/1 labels; the positive class is the larger of the two values (1, True, 'yes' > 'no')."""
    import numpy as np

    if classes is None:
        present = sorted(set(values.dropna().tolist()), key=lambda v: (str(type(v)), v))
        if len(present) != 2:
            raise Unprocessable(
                f"The target column has {len(present)} distinct values; binary classification "
                "needs exactly 2.",
                code="target_not_binary",
                extra={"param": "target_column"},
            )
        classes = present
    mapping = {c: i for i, c in enumerate(classes)}
    return np.asarray([mapping.get(v, -1) for v in values.tolist()]), classes


def features_of(frame: Any, target: str, wanted: list[str]) -> list[str]:
    columns = [str(c) for c in frame.columns]
    if target not in columns:
        raise Unprocessable(
            f"The target column '{target}' is not in the files (columns: {', '.join(columns)}).",
            code="target_column_missing",
            extra={"param": "target_column"},
        )
    if not wanted:
        return [c for c in columns if c != target]
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise Unprocessable(
            f"Feature columns missing from the files: {', '.join(missing)}.",
            code="feature_columns_missing",
            extra={"param": "feature_columns"},
        )
    return list(wanted)


def prepare(frame: Any, target: str, wanted: list[str], config: dict[str, Any]) -> Prepared:
    from sklearn.model_selection import train_test_split

    features = features_of(frame, target, wanted)
    frame = frame[frame[target].notna()]
    y, classes = encode_target(frame[target])
    x = frame[features]
    x_tr, x_val, y_tr, y_val = train_test_split(
        x, y, test_size=config["validation_fraction"], random_state=config["seed"], stratify=y
    )
    return Prepared(features, classes, x_tr, y_tr, x_val, y_val)


def pipeline(architecture: str, config: dict[str, Any], x: Any) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [c for c in x.columns if x[c].dtype.kind in "biuf"]
    text = [c for c in x.columns if c not in numeric]
    steps: list[tuple[str, Any]] = [("impute", SimpleImputer(strategy="median"))]
    if architecture == "logistic_regression":
        steps.append(("scale", StandardScaler()))
    pre = ColumnTransformer(
        [
            ("numeric", Pipeline(steps), numeric),
            (
                "text",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="constant", fill_value="")),
                        (
                            "onehot",
                            OneHotEncoder(
                                handle_unknown="ignore", max_categories=50, sparse_output=False
                            ),
                        ),
                    ]
                ),
                text,
            ),
        ]
    )
    return Pipeline([("pre", pre), ("model", architectures.estimator(architecture, config))])


def fit_stage(
    pipe: Any, architecture: str, data: Prepared, previous: int, step: int
) -> dict[str, Any]:
    """Grow the model to ``step`` (trees or iterations) and measure it on both splits."""
    from sklearn.exceptions import ConvergenceWarning

    grows = architectures.GROWS[architecture]
    # Logistic regression restarts from its coefficients: each stage runs only the new ones.
    value = step - previous if architecture == "logistic_regression" else step
    pipe.set_params(**{f"model__{grows}": value})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(data.x_train, data.y_train)
    train = metrics.compute(("log_loss", "accuracy"), data.y_train, score(pipe, data.x_train))
    val = metrics.compute(("log_loss", "accuracy", "roc_auc"), data.y_val, score(pipe, data.x_val))
    return {
        "step": step,
        "train_log_loss": train["log_loss"],
        "train_accuracy": train["accuracy"],
        "validation_log_loss": val["log_loss"],
        "validation_accuracy": val["accuracy"],
        "validation_roc_auc": val["roc_auc"],
    }


def score(pipe: Any, x: Any) -> Any:
    """The positive class's probability."""
    return pipe.predict_proba(x)[:, 1]


def dump(pipe: Any, data: Prepared, architecture: str) -> tuple[bytes, str]:
    import joblib

    buf = io.BytesIO()
    joblib.dump(
        {
            "pipeline": pipe,
            "features": data.features,
            "classes": data.classes,
            "architecture": architecture,
        },
        buf,
    )
    blob = buf.getvalue()
    return blob, hashlib.sha256(blob).hexdigest()


def load(blob: bytes) -> dict[str, Any]:
    """A checkpoint's state. Only artifacts this server wrote (under its data directory, checked
    against their stored digest) are ever loaded."""
    import joblib

    state: dict[str, Any] = joblib.load(io.BytesIO(blob))
    return state


def rows_frame(rows: list[dict[str, Any]], features: list[str]) -> Any:
    import pandas as pd

    missing = sorted({c for row in rows for c in features if c not in row})
    if missing:
        raise Unprocessable(
            f"Every row needs the checkpoint's feature columns; missing: {', '.join(missing)}.",
            code="feature_columns_missing",
            extra={"param": "rows"},
        )
    return pd.DataFrame([{c: row[c] for c in features} for row in rows], columns=features)
