"""Engine creation with SQLite/PostgreSQL parity hooks.

SQLite runs in WAL mode with foreign keys on and a busy timeout. Write transactions start with
``BEGIN IMMEDIATE``: a deferred transaction that reads and then writes can fail with SQLITE_BUSY
regardless of the busy timeout, so sessions that may write (an engine with the execution option
``sqlite_begin="IMMEDIATE"``) take the write lock up front.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 10_000


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url,
            echo=echo,
            hide_parameters=True,  # errors and logs never carry row values (ciphertexts, hashes)
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        _install_sqlite_hooks(engine)
        return engine
    return create_async_engine(
        url,
        echo=echo,
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_timeout=10,
        connect_args={"timeout": 5, "command_timeout": 30},
    )


def _install_sqlite_hooks(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control away from the driver so BEGIN is ours to emit.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def create_sessionmaker(
    engine: AsyncEngine, *, bus: Any = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions that carry the process's invalidation bus (see ``kit.invalidation``)."""
    info = {"bus": bus} if bus is not None else None
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True, info=info)
