"""The architectures a training can use and the configuration each accepts.

Every one is a scikit-learn estimator behind the same preprocessing (numbers imputed, text
one-hot encoded), fitted in stages so a training reports metrics and saves a checkpoint as it
goes. A configuration field an architecture does not know, or a value out of range, is a 422
naming ``configuration.<field>``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from spacegate.errors import Unprocessable


class _Common(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Share of the rows held out to measure each stage.
    validation_fraction: float = Field(default=0.2, gt=0, le=0.5)
    #: Checkpoints saved over the training (one per stage).
    checkpoints: int = Field(default=3, ge=1, le=20)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class LogisticRegressionConfig(_Common):
    C: float = Field(default=1.0, gt=0, le=1e6)
    max_iter: int = Field(default=200, ge=1, le=10_000)
    class_weight: Literal["balanced"] | None = None


class GradientBoostingConfig(_Common):
    n_estimators: int = Field(default=100, ge=1, le=2_000)
    learning_rate: float = Field(default=0.1, gt=0, le=1)
    max_depth: int = Field(default=3, ge=1, le=32)
    subsample: float = Field(default=1.0, gt=0, le=1)


class HistGradientBoostingConfig(_Common):
    max_iter: int = Field(default=100, ge=1, le=2_000)
    learning_rate: float = Field(default=0.1, gt=0, le=1)
    max_leaf_nodes: int = Field(default=31, ge=2, le=4_096)
    max_depth: int | None = Field(default=None, ge=1, le=64)
    l2_regularization: float = Field(default=0.0, ge=0, le=1e6)


class RandomForestConfig(_Common):
    n_estimators: int = Field(default=100, ge=1, le=2_000)
    max_depth: int | None = Field(default=None, ge=1, le=64)
    min_samples_leaf: int = Field(default=1, ge=1, le=100_000)
    class_weight: Literal["balanced", "balanced_subsample"] | None = None


CONFIGS: dict[str, type[_Common]] = {
    "logistic_regression": LogisticRegressionConfig,
    "gradient_boosting": GradientBoostingConfig,
    "hist_gradient_boosting": HistGradientBoostingConfig,
    "random_forest": RandomForestConfig,
}
#: The configuration field that grows stage by stage.
GROWS: dict[str, str] = {
    "logistic_regression": "max_iter",
    "gradient_boosting": "n_estimators",
    "hist_gradient_boosting": "max_iter",
    "random_forest": "n_estimators",
}
ARCHITECTURES = tuple(CONFIGS)


def validated(architecture: str, configuration: dict[str, Any]) -> dict[str, Any]:
    """The full configuration (defaults filled in), or a 422 naming each bad field."""
    config = CONFIGS.get(architecture)
    if config is None:
        raise Unprocessable(
            f"Unknown architecture '{architecture}'; use one of {', '.join(ARCHITECTURES)}.",
            code="unknown_architecture",
            extra={"param": "architecture"},
        )
    try:
        return config.model_validate(configuration).model_dump()
    except ValidationError as exc:
        problems = "; ".join(
            f"configuration.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        fields = [f"configuration.{'.'.join(str(p) for p in e['loc'])}" for e in exc.errors()]
        raise Unprocessable(
            f"Invalid configuration for {architecture}: {problems}",
            code="invalid_configuration",
            extra={"param": fields[0], "fields": fields},
        ) from None


def stages(architecture: str, config: dict[str, Any]) -> list[int]:
    """The value of the growing field at each stage: [34, 67, 100] for 100 in 3 stages."""
    total = int(config[GROWS[architecture]])
    n = min(int(config["checkpoints"]), total)
    return sorted({max(1, round(total * (i + 1) / n)) for i in range(n)})


def estimator(architecture: str, config: dict[str, Any]) -> Any:
    """A fresh (unfitted) estimator with ``warm_start``, so later stages add to earlier ones."""
    seed = config["seed"]
    if architecture == "logistic_regression":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(
            C=config["C"],
            max_iter=1,
            class_weight=config["class_weight"],
            warm_start=True,
            random_state=seed,
        )
    if architecture == "gradient_boosting":
        from sklearn.ensemble import GradientBoostingClassifier

        return GradientBoostingClassifier(
            n_estimators=1,
            learning_rate=config["learning_rate"],
            max_depth=config["max_depth"],
            subsample=config["subsample"],
            warm_start=True,
            random_state=seed,
        )
    if architecture == "hist_gradient_boosting":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(
            max_iter=1,
            learning_rate=config["learning_rate"],
            max_leaf_nodes=config["max_leaf_nodes"],
            max_depth=config["max_depth"],
            l2_regularization=config["l2_regularization"],
            early_stopping=False,
            warm_start=True,
            random_state=seed,
        )
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(
        n_estimators=1,
        max_depth=config["max_depth"],
        min_samples_leaf=config["min_samples_leaf"],
        class_weight=config["class_weight"],
        warm_start=True,
        random_state=seed,
        n_jobs=1,
    )
