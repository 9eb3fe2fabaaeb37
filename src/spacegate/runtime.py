"""Process-wide resources, made in the app's lifespan and reached via ``request.app.state``."""

from __future__ import annotations

from dataclasses import dataclass, field

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from spacegate.config import Settings
from spacegate.db.engine import create_engine, create_sessionmaker
from spacegate.kit.cursors import CursorCodec
from spacegate.kit.invalidation import InvalidationBus


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    read_sessions: async_sessionmaker[AsyncSession]
    write_sessions: async_sessionmaker[AsyncSession]
    cursors: CursorCodec
    bus: InvalidationBus
    #: Present when SPACEGATE_REDIS_URL is set (the scale-out configuration).
    redis: Redis | None = None
    #: key id -> monotonic time of the last ``last_used_at`` write, to write at most once a minute.
    key_touches: dict[object, float] = field(default_factory=dict)

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        engine = create_engine(settings.resolved_database_url, pool_size=settings.db_pool_size)
        writer = engine.execution_options(sqlite_begin="IMMEDIATE")
        bus = InvalidationBus()
        return cls(
            settings=settings,
            engine=engine,
            read_sessions=create_sessionmaker(engine, bus=bus),
            write_sessions=create_sessionmaker(writer, bus=bus),
            bus=bus,
            cursors=CursorCodec(settings.resolved_secret_key),
            redis=(
                Redis.from_url(
                    settings.redis_url,
                    socket_timeout=0.25,
                    socket_connect_timeout=0.25,
                    # A limiter script Redis already ran must never be re-sent: a retry after a
                    # lost reply would charge the same call twice. Failures fall back instead.
                    retry=Retry(NoBackoff(), 0),
                )
                if settings.redis_url
                else None
            ),
        )

    async def close(self) -> None:
        from spacegate.auth import resolver  # resolver imports this module

        await resolver.drain()  # a last_used_at write still running needs the engine
        if self.redis is not None:
            await self.redis.aclose()
        await self.engine.dispose()
