"""Durable background jobs: a row per job, claimed by one worker under a renewed lease.

``enqueue`` writes the job in the caller's transaction (no job without its work, no work
without its job); ``JobRunner`` claims and runs jobs of the registered kinds. A worker killed
mid-job leaves a lease that runs out: the job is claimed again and its handler runs from the
start (handlers are written to be re-run: they replace what an earlier try left), or, when its
tries are spent, it is failed with the reason. Nothing stays "running" forever.
"""

from spacegate.jobs.queue import cancel, enqueue, retry
from spacegate.jobs.registry import (
    JobCancelled,
    JobContext,
    RetryLater,
    handler,
    handlers,
    long_kinds,
)
from spacegate.jobs.runner import JobRunner

__all__ = [
    "JobCancelled",
    "JobContext",
    "JobRunner",
    "RetryLater",
    "cancel",
    "enqueue",
    "handler",
    "handlers",
    "long_kinds",
    "retry",
]
