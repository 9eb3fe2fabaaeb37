"""Trainings: validated on the way in, run by the executor, steered while they run.

While a training is queued everything may change; once it runs (or has run) only its name and
its benchmarks may, since the rest is what its checkpoints were made from. DELETE cancels a
queued or running training (it stays, ``cancelled``) and deletes a finished one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spacegate.errors import Conflict, Unprocessable
from spacegate.factory import architectures
from spacegate.factory.clusters.service import cluster_of_space
from spacegate.factory.data_models import DataModelService
from spacegate.factory.executor import TRAINING_KIND, adopt_outcomes, executor
from spacegate.factory.refs import benchmark_ids, connector_refs
from spacegate.kit.clock import utcnow
from spacegate.models import Training
from spacegate.resources import Paging, ResourceService, ResourceSpec

ACTIVE = ("queued", "running")
#: What a PATCH may change once the training has started.
SAFE_WHILE_RUNNING = frozenset({"name", "benchmark_ids"})


async def check_gpus(service: ResourceService[Any], gpu_count: int) -> None:
    """At most the GPUs of where the work runs: the space's cluster (as last read) or the
    local worker, which has none."""
    cluster = await cluster_of_space(service.session, service.scope.org_id, service.scope.space_id)
    have, where = (
        (cluster.gpus, f"the space's cluster '{cluster.name or cluster.manager_url}'")
        if cluster is not None
        else (float(executor().gpus), "the local worker (this space has no cluster)")
    )
    if gpu_count > have:
        raise Unprocessable(
            f"gpu_count {gpu_count} is more than the {have:g} GPU(s) of {where}; ask for at "
            "most that many.",
            code="gpus_unavailable",
            extra={"param": "gpu_count"},
        )


class TrainingService(ResourceService[Training]):
    model = Training
    spec = ResourceSpec(
        label="Training", permission="trainings", name="training", paging=Paging.page_size_camel
    )

    async def validate(self, values: dict[str, Any], current: Training | None) -> dict[str, Any]:
        if "connector" in values:
            one = values.pop("connector")
            if one is not None:
                values["connectors"] = [one]
        if current is not None and current.status != "queued":
            locked = sorted(set(values) - SAFE_WHILE_RUNNING)
            if locked:
                raise Conflict(
                    f"This training is {current.status}: only "
                    f"{', '.join(sorted(SAFE_WHILE_RUNNING))} may change now, not "
                    f"{', '.join(locked)}.",
                    code="training_started",
                    extra={"param": locked[0]},
                )
        arch = values.get("architecture", current.architecture if current else None)
        if "architecture" in values or "configuration" in values:
            config = values.get("configuration", current.configuration if current else {})
            architectures.validated(str(arch), config or {})
            values["configuration"] = config or {}
        if "gpu_count" in values:
            await check_gpus(self, values["gpu_count"])
        if "data_model_id" in values:
            dm = await DataModelService(self.session, self.scope, self.cursors).get(
                values["data_model_id"]
            )
            if not dm.target_column:
                raise Unprocessable(
                    f"Data model '{dm.id}' names no target_column; set it before training.",
                    code="target_column_missing",
                    extra={"param": "data_model_id"},
                )
        if values.get("connectors") is not None:
            values["connectors"] = await connector_refs(self, values["connectors"])
        if values.get("benchmark_ids") is not None:
            values["benchmark_ids"] = await benchmark_ids(self, values["benchmark_ids"])
        return values

    async def get(self, ident: Any, *, permission: str = "get", lock: bool = False) -> Training:
        training = await super().get(ident, permission=permission, lock=lock)
        await adopt_outcomes(self.session, [training])
        return training

    async def list_offset(
        self, *, offset: int, limit: int, **filters: Any
    ) -> tuple[Sequence[Training], int]:
        rows, total = await super().list_offset(offset=offset, limit=limit, **filters)
        await adopt_outcomes(self.session, rows)
        return rows, total

    async def create(self, values: dict[str, Any]) -> Training:
        training = await super().create({**values, "checkpoints": []})
        training.job_id = executor().submit(
            self.session, TRAINING_KIND, training.id, self.scope.principal, self.scope.space_id
        )
        await self.session.flush()
        return training

    async def delete(self, ident: Any) -> Training:
        training = await self.get(ident, permission="delete", lock=True)
        if training.status not in ACTIVE:
            return await super().delete(ident)
        if training.job_id is not None:
            await executor().cancel(self.session, training.job_id)
        if training.status == "queued":
            training.status = "cancelled"
        training.updated_at = utcnow()
        await self.session.flush()
        return training
