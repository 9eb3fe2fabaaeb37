"""The processes the gateway benchmark runs: the fake provider and Spacegate, both real servers on
loopback, each in its own process so that neither competes with the load generator for the GIL."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def tool(name: str) -> str:
    """A console script of this environment (``spacegate``, ``py-spy``), else one on PATH."""
    local = _BIN / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"'{name}' is not installed: run `uv sync` (it is a dev dependency).")
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, all cores (``/proc/stat``)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - idle) / tick, sum(fields) / tick


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, probe: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + probe, timeout=1.0).status_code < 500:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start in {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: uvicorn shuts down and Spacegate flushes its meter
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def _spawn(name: str, argv: list[str], env: dict[str, str], workdir: Path, port: int) -> Server:
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603  (our own interpreter and console scripts)
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    return Server(name, proc, port, log)


@contextlib.contextmanager
def fake_provider(workdir: Path, *args: str) -> Iterator[Server]:
    """The fake provider, answering at once: uvicorn binds the port itself, so uvloop turns
    Nagle off on accepted sockets and small keep-alive answers are not held back ~40 ms.
    ``args``: more of its options (``--embedding-dimensions 384``)."""
    port = free_port()
    argv = [sys.executable, "-m", "tests.fakes.provider", "--port", str(port), *args]
    server = _spawn("fake-provider", argv, dict(os.environ), workdir, port)
    try:
        server.wait_ready("/v1/models")
        yield server
    finally:
        server.stop()


def spacegate_env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """``database_url``: a server's database instead of the embedded SQLite in ``data_dir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPACEGATE_")}
    env.update(
        SPACEGATE_DATA_DIR=str(data_dir),
        SPACEGATE_ALLOW_PRIVATE_NETWORKS="true",
        SPACEGATE_LOG_LEVEL="WARNING",
    )
    if database_url:
        env["SPACEGATE_DATABASE_URL"] = database_url
    return env


def bootstrap(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """``spacegate bootstrap --json``: an org, its owner and an owner API key."""
    out = subprocess.run(  # noqa: S603
        [
            tool("spacegate"),
            "bootstrap",
            "--org",
            "Bench",
            "--email",
            "bench@example.com",
            "--json",
        ],
        cwd=ROOT,
        env=spacegate_env(data_dir, database_url),
        capture_output=True,
        check=True,
    )
    made: dict[str, str] = json.loads(out.stdout)
    return made


@contextlib.contextmanager
def spacegate(workdir: Path, data_dir: Path, database_url: str | None = None) -> Iterator[Server]:
    """``spacegate serve``: the embedded default (SQLite in ``data_dir``) unless a
    ``database_url`` is given, one worker."""
    port = free_port()
    argv = [tool("spacegate"), "serve", "--port", str(port), "--workers", "1"]
    server = _spawn("spacegate", argv, spacegate_env(data_dir, database_url), workdir, port)
    try:
        server.wait_ready("/healthz")
        yield server
    finally:
        server.stop()
