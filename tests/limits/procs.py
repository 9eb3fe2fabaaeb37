"""Spacegate instances as real ``spacegate serve`` processes, for tests whose point is what
several replicas do together: each has its own interpreter and event loop, so neither the other
instance nor the test's load generator can hold it up the way threads of one process would."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx

from spacegate.config import Settings
from tests.procs import free_port, spacegate_command, stop_process, wait_healthy


class Instance:
    def __init__(self, proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.proc = proc
        self.port = port
        self.log = log

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60.0) -> None:
        wait_healthy(self.proc, self.url, self.log, timeout=timeout)

    def stop(self) -> None:
        stop_process(self.proc)

    def fallbacks(self) -> float:
        """``spacegate_limits_fallback_total`` summed over its labels: checks decided without
        Redis by this instance."""
        text = httpx.get(f"{self.url}/metrics", timeout=10).text
        pattern = r"^spacegate_limits_fallback_total\{[^}]*\} ([0-9.e+]+)$"
        return sum(float(v) for v in re.findall(pattern, text, re.M))


@contextlib.contextmanager
def instances(
    settings: Settings, workdir: Path, count: int, **env: str
) -> Iterator[list[Instance]]:
    """``count`` instances on the database of ``settings``, with extra ``SPACEGATE_*`` settings
    in ``env`` (names without the prefix, e.g. ``REDIS_URL``); all stopped on the way out."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("SPACEGATE_")}
    base.update(
        SPACEGATE_DATABASE_URL=str(settings.database_url),
        SPACEGATE_SECRET_KEY=str(settings.secret_key),
        SPACEGATE_DATA_DIR=str(workdir),
        SPACEGATE_LOG_LEVEL="WARNING",
        **{f"SPACEGATE_{k}": v for k, v in env.items()},
    )
    started: list[Instance] = []
    try:
        for n in range(count):
            port = free_port()
            log = workdir / f"spacegate-{n}.log"
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    [spacegate_command(), "serve", "--port", str(port), "--workers", "1"],
                    cwd=workdir,
                    env=base,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started.append(Instance(proc, port, log))
        for instance in started:
            instance.wait_ready()
        yield started
    finally:
        for instance in started:
            instance.stop()
