"""A real local Ray head on loopback (2 CPUs, no GPU), started once for the session.

Where Ray cannot start (not installed, or the machine refuses) the cluster tests skip with the
reason; in CI (``CI`` set) they fail instead."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.factory.conftest import bucket, s3_server  # noqa: F401 (the work reads a bucket)
from tests.procs import free_port


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"Ray is required in CI: {reason}")
    pytest.skip(f"Ray cannot start here: {reason}")


def _ray() -> str:
    exe = Path(sys.executable).with_name("ray")
    found = str(exe) if exe.exists() else shutil.which("ray")
    if not found:
        _unavailable("the `ray` command is not installed (uv sync --all-extras installs it)")
    return str(found)


@pytest.fixture(scope="session")
def ray_head(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard URL of a fresh Ray head; stopped at the end of the session."""
    ray = _ray()
    temp = tmp_path_factory.mktemp("ray")
    dashboard = free_port()
    # Every Ray process on this host binds loopback only (no other interface is touched).
    env = {**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}
    args = [
        ray, "start", "--head",
        f"--port={free_port()}",
        f"--dashboard-port={dashboard}",
        "--dashboard-host=127.0.0.1",
        f"--ray-client-server-port={free_port()}",
        f"--dashboard-agent-listen-port={free_port()}",
        "--node-ip-address=127.0.0.1",
        "--num-cpus=2",
        "--num-gpus=0",
        "--include-dashboard=true",
        "--disable-usage-stats",
        f"--temp-dir={temp}",
    ]  # fmt: skip
    started = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    if started.returncode != 0:
        _unavailable(f"`ray start --head` failed: {started.stderr[-1500:]}")
    url = f"http://127.0.0.1:{dashboard}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{url}/api/version", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            _stop(ray, env)
            _unavailable("the Ray dashboard did not come up within 120 s")
        time.sleep(0.5)
    try:
        yield url
    finally:
        _stop(ray, env)


def _stop(ray: str, env: dict[str, str]) -> None:
    subprocess.run([ray, "stop", "--force"], env=env, capture_output=True, timeout=120)
