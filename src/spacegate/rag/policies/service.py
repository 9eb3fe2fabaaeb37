"""Policies as a plain resource of the space: each attached to one endpoint of the space, its
configuration checked against its type (and, on a change, merged into the stored one)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from spacegate.errors import Unprocessable
from spacegate.models import RagEndpoint, RagPolicy
from spacegate.rag.policies.types import checked_config
from spacegate.rag.spec import syft_spec
from spacegate.resources import ResourceService


class PolicyService(ResourceService[RagPolicy]):
    model = RagPolicy
    spec = syft_spec(label="Policy", permission="policies", name="policy")

    async def validate(self, values: dict[str, Any], current: RagPolicy | None) -> dict[str, Any]:
        if "endpoint_id" in values:
            await self._endpoint(values["endpoint_id"])
        if "configuration" in values or current is None:
            kind = values.get("policy_type") or (current.policy_type if current else "")
            conf = values.get("configuration") or {}
            if current is not None:
                conf = {**current.configuration, **conf}
            values["configuration"] = checked_config(kind, conf)
        return values

    async def _endpoint(self, endpoint_id: uuid.UUID) -> None:
        found = await self.session.scalar(
            select(RagEndpoint.id).where(
                RagEndpoint.id == endpoint_id,
                RagEndpoint.org_id == self.scope.org_id,
                RagEndpoint.space_id == self.scope.space_id,
            )
        )
        if found is None:
            raise Unprocessable(
                f"Endpoint '{endpoint_id}' not found in this space.",
                code="endpoint_not_found",
                extra={"param": "endpoint_id"},
            )

    async def of_endpoint(self, endpoint_id: uuid.UUID) -> list[RagPolicy]:
        """An endpoint's policies, for the query's checks (the query checked its permission)."""
        rows = await self.session.scalars(
            self.repo.select(RagPolicy.endpoint_id == endpoint_id).order_by(RagPolicy.id)
        )
        return list(rows)
