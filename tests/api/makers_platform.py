"""Platform objects of the space-scoped routes (jobs) for the cross-org matrices."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx

from spacegate.models import Job
from spacegate.runtime import Runtime
from tests.api.makers import maker

if TYPE_CHECKING:
    from tests.api.isolation import OrgObjects


@maker("/v1/jobs/{id}")
async def _job(_client: httpx.AsyncClient, runtime: Runtime, o: OrgObjects) -> str:
    # A kind no runner handles: it stays queued, so cancel and retry have something to refuse.
    async with runtime.write_sessions() as s, s.begin():
        job = Job(org_id=uuid.UUID(o.org.org_id), space_id=uuid.UUID(o.space_id), kind="test.idle")
        s.add(job)
    return str(job.id)
