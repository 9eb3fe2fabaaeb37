"""Checkpoints: a training's saved states. Read, downloaded, and scored on rows."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

from spacegate.factory import artifacts, trainer
from spacegate.models import Checkpoint
from spacegate.resources import ResourceService, ResourceSpec


class CheckpointService(ResourceService[Checkpoint]):
    model = Checkpoint
    spec = ResourceSpec(label="Checkpoint", permission="checkpoints", name="checkpoint")

    async def artifact(self, ident: uuid.UUID, data_dir: Path) -> tuple[Checkpoint, bytes]:
        checkpoint = await self.get(ident)
        blob = await artifacts.read(data_dir, checkpoint.artifact_path, checkpoint.sha256)
        return checkpoint, blob

    async def score(
        self, ident: uuid.UUID, data_dir: Path, rows: list[dict[str, Any]]
    ) -> dict[str, Any]:
        checkpoint, blob = await self.artifact(ident, data_dir)
        predictions = await asyncio.to_thread(_predict, blob, rows)
        return {"checkpoint_id": str(checkpoint.id), "predictions": predictions}


def _predict(blob: bytes, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    state = trainer.load(blob)
    frame = trainer.rows_frame(rows, state["features"])
    scores = trainer.score(state["pipeline"], frame)
    classes = state["classes"]
    return [
        {
            "score": float(s),
            "label": classes[1] if s >= 0.5 else classes[0],
        }
        for s in scores
    ]
