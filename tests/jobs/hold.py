"""Hold every job runner of this process. The suite serves more than one app on one database
(in-process apps, and live servers on their own threads and loops), so stopping one app's
runner alone leaves another to claim the jobs a test wants held."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from spacegate.jobs.runner import JobRunner, local_runners


async def _on_its_loop(runner: JobRunner, call: Callable[[], Coroutine[Any, Any, None]]) -> None:
    loop = runner.loop
    if loop is None or loop is asyncio.get_running_loop():
        await call()
    elif not loop.is_closed():
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(call(), loop))


@asynccontextmanager
async def jobs_held(keep: JobRunner | None = None) -> AsyncIterator[None]:
    """Every runner stops claiming jobs, except ``keep``: a test whose jobs need one app's
    settings (say, loopback allowed) keeps that app's runner alone at work."""
    runners = [r for r in local_runners() if r is not keep]
    for runner in runners:
        await _on_its_loop(runner, runner.stop)
    try:
        yield
    finally:
        for runner in runners:
            await _on_its_loop(runner, runner.start)
