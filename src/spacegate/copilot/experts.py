"""Experts: a specialist's instructions (``context``), reference passages (``file_context``) and
the function tools it offers the model; a chat turn routed to it is answered with all three."""

from __future__ import annotations

import uuid
from typing import Any

from spacegate.models import Expert
from spacegate.resources import ResourceService, ResourceSpec


class ExpertService(ResourceService[Expert]):
    model = Expert
    spec = ResourceSpec(label="Expert", permission="experts", name="expert")

    async def validate(self, values: dict[str, Any], current: Expert | None) -> dict[str, Any]:
        # The wire schemas have checked them; stored as plain JSON.
        for name in ("tools", "file_context"):
            if name in values and values[name] is None:
                values[name] = []
        if "context" in values and values["context"] is None:
            values["context"] = ""
        return values

    async def by_ids(self, ids: list[uuid.UUID]) -> list[Expert]:
        """The space's experts among ``ids``, in their order; an unknown id is a 404 naming it."""
        self.scope.require(self.spec.permission_for("get"))
        found = {
            e.id: e
            for e in (await self.session.scalars(self.repo.select(Expert.id.in_(ids)))).all()
        }
        for ident in ids:
            if ident not in found:
                raise self.not_found(ident)
        return [found[i] for i in ids]

    async def all(self, limit: int = 50) -> list[Expert]:
        stmt = self.repo.select().order_by(Expert.id).limit(limit)
        return list((await self.session.scalars(stmt)).all())
