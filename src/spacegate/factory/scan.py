"""``POST /connectors/{id}/scan``: each named file's schema, detected in a background job."""

from __future__ import annotations

import asyncio
from typing import Any

from spacegate import jobs
from spacegate.errors import AppError
from spacegate.factory import events, s3, tabular
from spacegate.factory.connectors import bucket_of
from spacegate.factory.work import edge_of, row_of
from spacegate.jobs import JobContext
from spacegate.kit.clock import utcnow
from spacegate.models import Connector

KIND = "factory.scan"


@jobs.handler(KIND)
async def run_scan(ctx: JobContext) -> dict[str, Any]:
    files: list[str] = list(ctx.payload.get("files") or [])
    async with ctx.runtime.write_sessions() as s, s.begin():
        connector = await row_of(s, ctx, Connector, ctx.subject_id)
        if connector is None:
            return {"skipped": "connector deleted"}
        bucket = await bucket_of(connector, edge_of(ctx.runtime))
        prefix = connector.prefix
    found: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for n, key in enumerate(files):
        try:
            data = await s3.read_file(bucket, prefix + key)
            found[key] = await asyncio.to_thread(tabular.schema_of, data, key)
        except AppError as exc:
            errors[key] = exc.message
        ctx.progress(files_done=n + 1, files_total=len(files))
        await ctx.checkpoint()
    status = "scanned" if not errors else "error"
    scan = {
        "job_id": str(ctx.id),
        "status": "succeeded" if not errors else "failed",
        "files": found,
        "errors": errors,
        "finished_at": utcnow().isoformat().replace("+00:00", "Z"),
    }
    async with ctx.runtime.write_sessions() as s, s.begin():
        connector = await row_of(s, ctx, Connector, ctx.subject_id)
        if connector is not None:
            connector.scan, connector.status = scan, status
            connector.updated_at = utcnow()
            await events.emit(
                s, ctx.org_id, connector.space_id, f"connector.{status}", connector.id, scan
            )
    return {"files": len(found), "errors": errors}
