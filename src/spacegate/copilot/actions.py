"""Actions: commercial "next best action" campaigns, each in an optional action group, with the
channels it may use and the model that writes its insights."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import Select

from spacegate.copilot.action_groups import ActionGroupService
from spacegate.entitlements.service import EntitlementService
from spacegate.errors import Unprocessable
from spacegate.kit.clock import as_utc, isoformat_z
from spacegate.models import Action
from spacegate.resources import ResourceService, ResourceSpec
from spacegate.wire.copilot.actions import ActionStatus


def channels(action: Action) -> list[str]:
    """The channels the action allows: its ``channel``, read as a comma-separated list."""
    raw = action.channel or ""
    return list(dict.fromkeys(c.strip() for c in raw.split(",") if c.strip()))


def invalid(param: str, message: str, code: str) -> Unprocessable:
    return Unprocessable(message, code=code, extra={"param": param})


class ActionService(ResourceService[Action]):
    model = Action
    spec = ResourceSpec(label="Action", permission="actions", name="action")

    async def validate(self, values: dict[str, Any], current: Action | None) -> dict[str, Any]:
        for name in ("priority", "status"):
            if isinstance(values.get(name), StrEnum):
                values[name] = str(values[name])
        for name in ("start_date", "end_date"):
            if values.get(name) is not None:
                values[name] = as_utc(values[name])
        if current is None and values.get("status") is None:
            values["status"] = ActionStatus.draft.value
        start = values.get("start_date", current.start_date if current else None)
        end = values.get("end_date", current.end_date if current else None)
        if start is not None and end is not None and end <= start:
            param = "end_date" if "end_date" in values else "start_date"
            raise invalid(
                param,
                f"end_date ({isoformat_z(end)}) must be after start_date ({isoformat_z(start)}).",
                "invalid_dates",
            )
        if "group" in values:
            group = values.pop("group")
            values["group_id"] = await self._group(group) if group is not None else None
        if values.get("model_id") is not None:
            entitlements = EntitlementService(self.session, self.scope.principal, self.cursors)
            if not await entitlements.is_entitled(self.scope.space_id, values["model_id"]):
                raise invalid(
                    "model_id",
                    f"model_id '{values['model_id']}' is not a model allowed in this space.",
                    "model_not_in_space",
                )
        return values

    async def _group(self, ident: uuid.UUID) -> uuid.UUID:
        groups = ActionGroupService(self.session, self.scope, self.cursors)
        if await groups.repo.get_by("id", ident) is None:
            raise invalid(
                "group", f"group '{ident}' is not an action group of this space.", "group_not_found"
            )
        return ident

    async def by_ids(self, ids: list[uuid.UUID]) -> list[Action]:
        """The space's actions among ``ids``, in their order; an unknown id is a 404 naming it.
        Checks no permission: for features (insights, arguments) that read the actions they use."""
        rows = await self.session.scalars(self.repo.select(Action.id.in_(ids)))
        found = {a.id: a for a in rows.all()}
        for ident in ids:
            if ident not in found:
                raise self.not_found(ident)
        return [found[i] for i in ids]

    async def active(self, limit: int = 50) -> list[Action]:
        """The space's active actions, oldest first (no permission of its own, as ``by_ids``)."""
        stmt: Select[Any] = self.repo.select(Action.status == ActionStatus.active.value)
        rows = await self.session.scalars(stmt.order_by(Action.id).limit(limit))
        return list(rows.all())
