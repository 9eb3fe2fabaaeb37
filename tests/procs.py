"""Running ``spacegate serve`` as a real subprocess: a free port, the command, readiness."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def spacegate_command() -> str:
    local = Path(sys.executable).parent / "spacegate"
    found = str(local) if local.exists() else shutil.which("spacegate")
    if found is None:
        raise RuntimeError("the 'spacegate' command is not installed: run `uv sync`")
    return found


def wait_healthy(
    proc: subprocess.Popen[bytes], url: str, log: Path, *, timeout: float = 60.0
) -> None:
    """Until ``/healthz`` answers 200; the server's log tail if it exits or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"spacegate exited early:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return
        time.sleep(0.05)
    raise RuntimeError(f"spacegate did not answer /healthz in {timeout:.0f} s")


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it has not exited within 20 s."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
