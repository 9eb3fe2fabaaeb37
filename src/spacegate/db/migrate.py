"""Run Alembic migrations programmatically (``spacegate migrate``, ``serve`` and the tests)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Blocking: call from synchronous code or a worker thread, not inside a running event loop."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)
    if revision == "head" and url.startswith("postgresql"):
        asyncio.run(_pgvector(url))


async def _pgvector(url: str) -> None:
    """pgvector's table, where the server has gained the extension since migration 0027, and
    the HNSW indexes of vectors copied in (their build may outlast the usual 30 s timeout)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from spacegate.db.pgvector_schema import index_all, install

    engine = create_async_engine(url, connect_args={"timeout": 5, "command_timeout": None})
    try:
        async with engine.begin() as conn:
            await conn.run_sync(install)
        async with engine.begin() as conn:
            await conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
            await conn.run_sync(index_all)
    finally:
        await engine.dispose()
