"""Benchmarks: fixed test files, a task and the metrics every checkpoint is measured by."""

from __future__ import annotations

from typing import Any

from spacegate.factory.refs import connector_refs
from spacegate.models import Benchmark
from spacegate.resources import Paging, ResourceService, ResourceSpec


class BenchmarkService(ResourceService[Benchmark]):
    model = Benchmark
    spec = ResourceSpec(
        label="Benchmark", permission="benchmarks", name="benchmark", paging=Paging.page_size
    )

    async def validate(self, values: dict[str, Any], current: Benchmark | None) -> dict[str, Any]:
        if "connector" in values:
            # Seed 004's update names one connector: it replaces the benchmark's files.
            one = values.pop("connector")
            if one is not None:
                files = current.connectors[0]["files"] if current and current.connectors else []
                values["connectors"] = [{"connector_id": one, "files": files}]
        if values.get("connectors") is not None:
            values["connectors"] = await connector_refs(self, values["connectors"])
        if values.get("metrics") is not None:
            values["metrics"] = list(dict.fromkeys(values["metrics"]))
        values["updated_by"] = self.scope.principal.user_id
        return values
