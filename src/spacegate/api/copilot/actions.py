"""Seed 004 "actions"."""

from __future__ import annotations

from typing import Any

from spacegate.copilot.actions import ActionService
from spacegate.models import Action
from spacegate.resources.router import crud_router
from spacegate.wire.copilot.actions import (
    ActionCreate,
    ActionRead,
    ActionUpdate,
)


def to_read(action: Action) -> ActionRead:
    values: dict[str, Any] = {
        c: getattr(action, c) for c in ActionRead.model_fields if c != "group"
    }
    return ActionRead(**values, group=action.group_id)


router = crud_router(
    ActionService,
    prefix="/v1/actions",
    tag="actions",
    create=ActionCreate,
    update=ActionUpdate,
    read=ActionRead,
    to_read=to_read,
)
