"""The local worker: trainings and evaluations compute in processes of their own, so the API's
event loop and its GIL are never the ones fitting a model.

A training runs in a process started for it (``spacegate.factory.task_main``): the job reads its
output line by line (each checkpoint as it is made), looks for a cancel while it waits and kills
the process when cancelled. An evaluation runs in a small pool of warm worker processes."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import pickle
import sys
import tempfile
from collections.abc import AsyncGenerator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from spacegate.errors import AppError
from spacegate.factory import measure, task_main, trainer
from spacegate.jobs import JobContext

#: A checkpoint travels on one line (base64): allow large ones.
_LINE_LIMIT = 1 << 30
#: How often a waiting job looks for a cancel.
_POLL = 0.5


class LocalWorkFailed(AppError):
    """A training's or an evaluation's worker failed (an evaluation's says so in its code)."""

    code = "training_failed"


async def train(ctx: JobContext, frame: Any, **inputs: Any) -> AsyncGenerator[trainer.Stage]:
    """``inputs``: target, features, architecture, configuration."""
    lines = _run(ctx, {"kind": "training", "frame": frame, **inputs})
    async with contextlib.aclosing(lines):
        async for kind, value in lines:
            if kind == "stage":
                yield trainer.Stage.from_wire(value)


async def evaluate(ctx: JobContext, frame: Any, **inputs: Any) -> dict[str, Any]:
    """``inputs``: artifact, target, metrics; ``{"metrics", "roc"}`` as ``measure.measure``.
    Scoring is short and is never cancelled half-way,
    so it runs in a pool of warm worker processes instead of a process started for it."""
    from concurrent.futures.process import BrokenProcessPool

    loop = asyncio.get_running_loop()
    try:
        result: dict[str, Any] = await loop.run_in_executor(
            _pool(), measure.measure, inputs["artifact"], frame, inputs["target"], inputs["metrics"]
        )
    except BrokenProcessPool:
        _reset_pool()
        raise LocalWorkFailed(
            "The evaluation's worker process died.", code="evaluation_failed"
        ) from None
    return result


_POOL: ProcessPoolExecutor | None = None


def _pool() -> ProcessPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ProcessPoolExecutor(
            max_workers=2, mp_context=multiprocessing.get_context("spawn"), initializer=_warm
        )
    return _POOL


def _reset_pool() -> None:
    global _POOL
    if _POOL is not None:
        _POOL.shutdown(wait=False, cancel_futures=True)
    _POOL = None


def _warm() -> None:
    """Load the libraries once per worker process, not once per evaluation."""
    import sklearn.ensemble
    import sklearn.linear_model  # noqa: F401


def _write_inputs(path: Path, inputs: dict[str, Any]) -> None:
    path.write_bytes(pickle.dumps(inputs, protocol=4))


def _parse(line: bytes) -> tuple[str, Any] | None:
    return task_main.parse(line.decode(errors="replace"))


async def _run(ctx: JobContext, inputs: dict[str, Any]) -> AsyncGenerator[tuple[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="spacegate-work-") as work:
        path = Path(work) / "inputs.pkl"
        await asyncio.to_thread(_write_inputs, path, inputs)  # a frame's pickle: off the loop
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "spacegate.factory.task_main",
            str(path),
            cwd=work,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            limit=_LINE_LIMIT,
        )
        assert proc.stdout is not None and proc.stderr is not None
        errors = asyncio.create_task(proc.stderr.read())
        try:
            ended = False
            while not ended:
                line = await _line(ctx, proc.stdout)
                if not line:
                    break
                # A checkpoint's line is megabytes of base64: parsed off the event loop.
                parsed = await asyncio.to_thread(_parse, line)
                if parsed is None:
                    continue
                kind, value = parsed
                if kind == "result" and value.get("error"):
                    raise LocalWorkFailed(str(value["error"]))
                ended = kind == "result"
                yield kind, value
            if not ended:
                code = await proc.wait()
                tail = (await errors).decode(errors="replace").strip().splitlines()[-5:]
                raise LocalWorkFailed(
                    f"The worker process ended ({code}) without a result: {' '.join(tail)}"[:2000]
                )
        finally:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
            errors.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await errors


async def _line(ctx: JobContext, stdout: asyncio.StreamReader) -> bytes:
    """The next line, looking for a cancel every ``_POLL`` seconds while it is computed."""
    reading = asyncio.ensure_future(stdout.readline())
    try:
        while True:
            done, _ = await asyncio.wait({reading}, timeout=_POLL)
            if done:
                return reading.result()
            await ctx.checkpoint()
    finally:
        if not reading.done():
            reading.cancel()
