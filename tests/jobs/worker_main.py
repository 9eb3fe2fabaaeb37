"""A separate worker process for the crash tests: claims jobs of kind ``test.hang`` and never
finishes them (the test kills it with SIGKILL while it holds one)."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from spacegate.config import Settings
from spacegate.jobs import JobContext, JobRunner
from spacegate.runtime import Runtime


async def _hang(ctx: JobContext) -> dict[str, Any]:
    ctx.progress(step="started")
    await ctx.checkpoint()
    print("claimed", ctx.id, flush=True)
    await asyncio.sleep(3600)
    return {}


async def main(database_url: str) -> None:
    settings = Settings(
        database_url=database_url,
        secret_key="test-secret-key-for-the-suite",
        job_poll_seconds=0.05,
        job_lease_seconds=1.0,
    )
    runtime = Runtime.create(settings)
    runner = JobRunner(runtime, {"test.hang": _hang})
    await runner.start()
    await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
