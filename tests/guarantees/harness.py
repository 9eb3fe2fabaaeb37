"""A ``spacegate serve`` process the guarantee suites may freeze, kill -9 and restart on the same
port and database, as an operator's supervisor would after a crash."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

from spacegate.config import Settings
from tests.procs import free_port, spacegate_command, stop_process, wait_healthy


class Server:
    def __init__(
        self, settings: Settings, workdir: Path, *, database_url: str | None = None, **env: str
    ) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.kills = 0
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SPACEGATE_")}
        self.env.update(
            SPACEGATE_DATABASE_URL=database_url or str(settings.database_url),
            SPACEGATE_SECRET_KEY=str(settings.secret_key),
            SPACEGATE_DATA_DIR=str(workdir),
            SPACEGATE_LOG_LEVEL="WARNING",
            # Crash and load suites send far more than a tenant's default rate allows.
            SPACEGATE_ORG_RATE_LIMIT="off",
            **{f"SPACEGATE_{k}": v for k, v in env.items()},
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.workdir / f"spacegate-{self.port}.log"

    def start(self) -> Server:
        if self.proc is not None:
            self.proc.wait(30)  # a kill from another thread may still be reaping it
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [spacegate_command(), "serve", "--port", str(self.port), "--workers", "1"],
                cwd=self.workdir,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        assert self.proc is not None
        wait_healthy(self.proc, self.url, self.log, timeout=timeout)

    def freeze(self) -> None:
        """SIGSTOP: the process keeps its sockets, and the kernel keeps accepting connections
        into its backlog, but it runs no more code."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def kill(self) -> None:
        """kill -9: no shutdown hook, no flush, no rollback but the database's own."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.kills += 1
        self.proc.wait(30)

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGCONT)  # a frozen server cannot handle SIGTERM
        stop_process(self.proc)

    def errors_logged(self) -> int:
        """Unhandled errors (500s) the server logged, over every life it had."""
        if not self.log.exists():
            return 0
        return self.log.read_text(errors="replace").count("unhandled error")


@contextlib.contextmanager
def server(settings: Settings, workdir: Path, **kw: str) -> Iterator[Server]:
    s = Server(settings, workdir, **kw)
    try:
        yield s.start()
    finally:
        s.stop()
