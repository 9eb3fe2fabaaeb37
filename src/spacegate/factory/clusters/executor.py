"""Work on a space's Ray cluster: a task (its code and inputs as files) travels to the cluster
as a working-directory package, runs as a Ray job, and its result comes back in its logs.

The submission id is the Spacegate job's own, so a job resumed after Spacegate itself died finds
its Ray job again instead of running it twice; a job the cluster lost fails with the reason.
"""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from spacegate.factory.clusters.ray import JobState, RayDashboard, RayRefused, RayUnavailable
from spacegate.factory.task_main import RESULT_MARK


class ClusterJobFailed(Exception):
    """The Ray job failed, was stopped by someone else, or the cluster lost it."""


@dataclass
class RayTask:
    #: Files of the working directory: the task's code and its inputs.
    files: dict[str, bytes]
    #: The shell command run there, e.g. ``python task.py``.
    entrypoint: str
    num_cpus: float = 1.0
    num_gpus: float = 0.0
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class RayOutcome:
    submission_id: str
    result: dict[str, Any]
    logs: str


def package(files: dict[str, bytes]) -> bytes:
    """A zip of ``files`` with fixed timestamps, so the same task is the same package."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            z.writestr(info, files[name])
    return buffer.getvalue()


def read_result(logs: str) -> dict[str, Any]:
    for line in reversed(logs.splitlines()):
        if line.startswith(RESULT_MARK):
            value = json.loads(line[len(RESULT_MARK) :])
            if isinstance(value, dict):
                return value
    raise ClusterJobFailed("the task ended without printing its result")


async def cluster_gpus(dashboard: RayDashboard) -> float:
    usage = await dashboard.usage()
    return usage.get("GPU", [0.0, 0.0])[1]


async def run(
    dashboard: RayDashboard,
    task: RayTask,
    submission_id: str,
    *,
    checkpoint: Callable[[], Awaitable[None]] | None = None,
    on_status: Callable[[str], Awaitable[None]] | None = None,
    poll: float = 0.5,
    away_grace: float = 60.0,
) -> RayOutcome:
    """Run ``task`` as Ray job ``submission_id`` (or follow it, when it was submitted before and
    is running or succeeded; a failed earlier try is run again as ``<id>-2``, ``-3`` ...), until
    it ends. ``checkpoint`` is awaited at each poll: when it raises (a cancel), the Ray job is
    stopped and the exception goes on. A cluster away for ``away_grace`` seconds, or one
    that no longer knows the job, fails it."""
    base = submission_id
    n, submission_id, state = await _latest(dashboard, base)
    if state is not None and state.finished and state.status != "SUCCEEDED":
        # An earlier try failed or was stopped: this try runs it afresh, under the next id.
        submission_id, state = f"{base}-{n + 1}", None
    if state is None:
        uri = await dashboard.upload_package(package(task.files))
        await dashboard.submit(
            entrypoint=task.entrypoint,
            submission_id=submission_id,
            runtime_env={"working_dir": uri},
            metadata={**task.metadata, "spacegate": "1"},
            num_cpus=task.num_cpus,
            num_gpus=task.num_gpus,
        )
    last_status = ""
    away = 0.0
    while True:
        if checkpoint is not None:
            try:
                await checkpoint()
            except BaseException:
                await _stop_quietly(dashboard, submission_id)
                raise
        try:
            state = await dashboard.status(submission_id)
            away = 0.0
        except RayUnavailable as exc:
            away += poll
            if away >= away_grace:
                raise ClusterJobFailed(
                    f"the cluster stopped answering while running the job: {exc}"
                ) from None
            await asyncio.sleep(poll)
            continue
        if state is None:
            raise _lost(submission_id)
        if state.status != last_status and on_status is not None:
            await on_status(state.status)
        last_status = state.status
        if state.finished:
            break
        await asyncio.sleep(poll)
    try:
        logs = await dashboard.logs(submission_id)
    except RayRefused as exc:
        if exc.status == 404:
            raise _lost(submission_id) from None
        raise
    if state.status != "SUCCEEDED":
        tail = "\n".join(logs.strip().splitlines()[-5:])
        raise ClusterJobFailed(
            f"Ray job {submission_id} {state.status.lower()}: {state.message or ''} {tail}".strip()
        )
    return RayOutcome(submission_id, read_result(logs), logs)


async def _latest(dashboard: RayDashboard, base: str) -> tuple[int, str, JobState | None]:
    """The newest submission of ``base`` (``base``, ``base-2``, ``base-3`` ...): its number, id
    and state (None: never submitted)."""
    found: tuple[int, str, JobState | None] = (1, base, None)
    for n in range(1, 100):
        candidate = base if n == 1 else f"{base}-{n}"
        state = await dashboard.status(candidate)
        if state is None:
            return found
        found = (n, candidate, state)
    return found


def _lost(submission_id: str) -> ClusterJobFailed:
    return ClusterJobFailed(
        f"the cluster no longer knows Ray job {submission_id} (it was restarted or lost the job)"
    )


async def _stop_quietly(dashboard: RayDashboard, submission_id: str) -> None:
    try:
        await dashboard.stop(submission_id)
    except Exception:  # the cancel stands; a job the cluster cannot stop ends by itself
        return
