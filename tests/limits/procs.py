"""Spacegate instances as real ``spacegate serve`` processes, for tests whose point is what
several replicas do together: each has its own interpreter and event loop, so neither the other
instance nor the test's load generator can hold it up the way threads of one process would."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from spacegate.config import Settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _spacegate() -> str:
    local = Path(sys.executable).parent / "spacegate"
    found = str(local) if local.exists() else shutil.which("spacegate")
    if found is None:
        raise RuntimeError("the 'spacegate' command is not installed: run `uv sync`")
    return found


class Instance:
    def __init__(self, proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.proc = proc
        self.port = port
        self.log = log

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"spacegate exited early:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"spacegate did not answer /healthz in {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

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
            port = _free_port()
            log = workdir / f"spacegate-{n}.log"
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    [_spacegate(), "serve", "--port", str(port), "--workers", "1"],
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
