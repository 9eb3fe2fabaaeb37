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
