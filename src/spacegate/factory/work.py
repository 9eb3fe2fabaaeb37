"""What the factory's background jobs share: the edge to buckets, rows of the job's space, and
the files a training or a benchmark names, read into one frame."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.errors import Unprocessable
from spacegate.factory import s3, tabular
from spacegate.factory.connectors import ConnectorEdge, bucket_of
from spacegate.jobs import JobContext
from spacegate.kit.crypto import cipher_for
from spacegate.models import Connector
from spacegate.runtime import Runtime

T = TypeVar("T")


def edge_of(runtime: Runtime) -> ConnectorEdge:
    settings = runtime.settings
    return ConnectorEdge(
        cipher=cipher_for(settings.resolved_secret_key),
        allow_private_networks=settings.allow_private_networks,
    )


async def row_of(session: AsyncSession, ctx: JobContext, model: type[T], ident: Any) -> T | None:
    """The job's space's row ``ident`` of ``model`` (another space's is never read)."""
    m: Any = model
    found: T | None = await session.scalar(
        select(m).where(m.id == ident, m.org_id == ctx.org_id, m.space_id == ctx.space_id)
    )
    return found


Source = tuple[s3.Bucket, str, list[str]]


async def sources(
    session: AsyncSession, ctx: JobContext, connectors: list[dict[str, Any]]
) -> list[Source]:
    """The buckets (credentials opened) and files of ``[{connector_id, files[]}]``."""
    edge = edge_of(ctx.runtime)
    found: list[Source] = []
    for ref in connectors:
        connector = await row_of(session, ctx, Connector, uuid.UUID(str(ref["connector_id"])))
        if connector is None:
            raise Unprocessable(
                f"Connector '{ref['connector_id']}' not found", code="connector_not_found"
            )
        bucket = await bucket_of(connector, edge)
        found.append((bucket, connector.prefix, list(ref.get("files") or [])))
    return found


async def fetch_frame(found: list[Source]) -> Any:
    """The files as one pandas frame (read outside any database transaction)."""
    tables = []
    for bucket, prefix, files in found:
        for key in files:
            data = await s3.read_file(bucket, prefix + key)
            tables.append(await asyncio.to_thread(tabular.read_table, data, key))
    if not tables:
        raise Unprocessable("No files to read.", code="no_files", extra={"param": "connectors"})
    return await asyncio.to_thread(tabular.frame_of, tables)
