"""Checkpoint artifacts: files under the data directory, verified by digest when read."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import uuid
from pathlib import Path

from spacegate.errors import AppError

ROOT = "factory"


class ArtifactMissing(AppError):
    status_code = 404
    code = "artifact_missing"


def relative_path(space_id: uuid.UUID, training_id: uuid.UUID, step: int) -> str:
    return f"{ROOT}/{space_id}/{training_id}/step-{step}.joblib"


def _write(path: Path, blob: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(blob)
    os.replace(tmp, path)


async def save(data_dir: Path, rel: str, blob: bytes) -> None:
    await asyncio.to_thread(_write, data_dir / rel, blob)


def _read(path: Path, sha256: str) -> bytes:
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raise ArtifactMissing("This checkpoint's stored state is gone.") from None
    if hashlib.sha256(blob).hexdigest() != sha256:
        raise ArtifactMissing("This checkpoint's stored state does not match its digest.")
    return blob


async def read(data_dir: Path, rel: str, sha256: str) -> bytes:
    return await asyncio.to_thread(_read, data_dir / rel, sha256)


async def remove_training(data_dir: Path, space_id: uuid.UUID, training_id: uuid.UUID) -> None:
    path = data_dir / ROOT / str(space_id) / str(training_id)
    await asyncio.to_thread(shutil.rmtree, path, True)
