"""Checks of the objects a request body names (connectors, data models, benchmarks): each must
be in the caller's space, else a 404 naming it."""

from __future__ import annotations

import uuid
from typing import Any

from spacegate.resources import ResourceService


async def connector_refs(
    svc: ResourceService[Any], refs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    from spacegate.factory.connectors import ConnectorService

    connectors = ConnectorService(svc.session, svc.scope, svc.cursors)
    out = []
    for ref in refs:
        connector = await connectors.get(ref["connector_id"])
        out.append({"connector_id": str(connector.id), "files": list(ref["files"])})
    return out


async def benchmark_ids(svc: ResourceService[Any], ids: list[uuid.UUID]) -> list[str]:
    from spacegate.factory.benchmarks import BenchmarkService

    benchmarks = BenchmarkService(svc.session, svc.scope, svc.cursors)
    return [str((await benchmarks.get(i)).id) for i in dict.fromkeys(ids)]
