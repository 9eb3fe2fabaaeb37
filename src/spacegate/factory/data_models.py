"""Data models: which columns a training learns from and which one it predicts."""

from __future__ import annotations

from typing import Any

from spacegate.errors import Unprocessable
from spacegate.models import DataModel
from spacegate.resources import ResourceService, ResourceSpec


class DataModelService(ResourceService[DataModel]):
    model = DataModel
    spec = ResourceSpec(label="Data model", permission="data-models", name="data_model")

    async def validate(self, values: dict[str, Any], current: DataModel | None) -> dict[str, Any]:
        target = values.get("target_column", current.target_column if current else None)
        features = values.get("feature_columns", current.feature_columns if current else [])
        if target is not None and target in (features or []):
            raise Unprocessable(
                f"The target column '{target}' cannot also be a feature column.",
                code="target_is_feature",
                extra={"param": "feature_columns"},
            )
        if "feature_columns" in values and values["feature_columns"] is None:
            values["feature_columns"] = []
        return values
