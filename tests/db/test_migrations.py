"""The migrations and the ORM tables describe the same schema, on every backend."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from spacegate.db.base import Base
from spacegate.db.unmapped import include_object
from spacegate.runtime import Runtime


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include_object}
    )
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_orm(runtime: Runtime) -> None:
    async with runtime.engine.connect() as conn:
        diff = await conn.run_sync(_diff)
    assert diff == []
